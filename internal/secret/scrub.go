package secret

import (
	"cmp"
	"io"
	"slices"
	"strings"
)

// replacer replaces every literal by Marker, the longest first, so that a
// literal containing another is replaced whole.
func replacer(literals []string) (*strings.Replacer, []string) {
	lits := make([]string, 0, len(literals))
	for _, l := range literals {
		if len(l) >= MinScrubLength && l != Marker {
			lits = append(lits, l)
		}
	}
	slices.SortFunc(lits, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	lits = slices.Compact(lits)
	if len(lits) == 0 {
		return nil, nil
	}
	pairs := make([]string, 0, 2*len(lits))
	for _, l := range lits {
		pairs = append(pairs, l, Marker)
	}
	return strings.NewReplacer(pairs...), lits
}

// ScrubString returns s with every occurrence of a literal (of at least
// MinScrubLength bytes) replaced by Marker.
func ScrubString(s string, literals ...string) string {
	r, _ := replacer(literals)
	if r == nil {
		return s
	}
	return r.Replace(s)
}

// Scrubber is an io.Writer that replaces any occurrence of a known
// sensitive literal with Marker in everything written through it, also
// when a literal is split across writes: the tail of a write that could
// begin a literal is held back until the next write or Flush. Call Flush
// when done writing.
type Scrubber struct {
	w        io.Writer
	r        *strings.Replacer
	literals []string
	pending  []byte
}

// NewScrubber returns a Scrubber writing to w. With no literal (of at least
// MinScrubLength bytes) it passes writes through unchanged.
func NewScrubber(w io.Writer, literals ...string) *Scrubber {
	r, lits := replacer(literals)
	return &Scrubber{w: w, r: r, literals: lits}
}

// Write scrubs p and writes it, but for a tail that could begin a literal.
func (s *Scrubber) Write(p []byte) (int, error) {
	if s.r == nil {
		return s.w.Write(p)
	}
	s.pending = append(s.pending, p...)
	cut := s.straddle(len(s.pending) - s.held())
	if cut > 0 {
		out := s.r.Replace(string(s.pending[:cut]))
		s.pending = append(s.pending[:0], s.pending[cut:]...)
		if _, err := io.WriteString(s.w, out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// held is the length of the longest tail of pending that is a proper
// prefix of a literal, and may be completed by the next write.
func (s *Scrubber) held() int {
	n := 0
	for _, l := range s.literals {
		for k := min(len(l)-1, len(s.pending)); k > n; k-- {
			if string(s.pending[len(s.pending)-k:]) == l[:k] {
				n = k
				break
			}
		}
	}
	return n
}

// straddle moves cut past any complete literal it would split (a tail that
// begins a second literal can lie inside a first one).
func (s *Scrubber) straddle(cut int) int {
	pending := string(s.pending)
	for moved := true; moved; {
		moved = false
		for _, l := range s.literals {
			from := max(0, cut-len(l)+1)
			for from < cut {
				i := strings.Index(pending[from:min(len(pending), cut+len(l)-1)], l)
				if i < 0 || from+i >= cut {
					break
				}
				if end := from + i + len(l); end > cut {
					cut, moved = end, true
					break
				}
				from += i + 1
			}
		}
	}
	return cut
}

// Flush writes what is held back.
func (s *Scrubber) Flush() error {
	if len(s.pending) == 0 {
		return nil
	}
	out := s.r.Replace(string(s.pending))
	s.pending = s.pending[:0]
	_, err := io.WriteString(s.w, out)
	return err
}

// Span is where a text writes a value: the bytes [Start, End), and the
// value they read as.
type Span struct {
	Start, End int
	Value      string
}

// RedactPair hides the sensitive values of two versions of a text, given
// by path (oldSpans in old, newSpans in new), so that a diff of the
// results shows where a secret is and whether it changed without showing
// it: each value becomes Marker, but a new value at a path whose old value
// differs becomes Changed. A quoted value stays quoted. Spans that overlap
// or fall outside the text are ignored.
func RedactPair(old, new string, oldSpans, newSpans map[string]Span) (string, string) {
	oldMarks := make(map[Span]string, len(oldSpans))
	for _, sp := range oldSpans {
		oldMarks[sp] = Marker
	}
	newMarks := make(map[Span]string, len(newSpans))
	for p, sp := range newSpans {
		newMarks[sp] = Marker
		if prev, ok := oldSpans[p]; ok && prev.Value != sp.Value {
			newMarks[sp] = Changed
		}
	}
	return splice(old, oldMarks), splice(new, newMarks)
}

// splice replaces each span of s by its mark, quoted as the span was.
func splice(s string, marks map[Span]string) string {
	spans := make([]Span, 0, len(marks))
	for sp := range marks {
		if sp.Start >= 0 && sp.Start < sp.End && sp.End <= len(s) {
			spans = append(spans, sp)
		}
	}
	slices.SortFunc(spans, func(a, b Span) int { return cmp.Compare(a.Start, b.Start) })
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		if sp.Start < at {
			continue // overlaps the previous span
		}
		b.WriteString(s[at:sp.Start])
		mark := marks[sp]
		switch q := s[sp.Start]; q {
		case '"', '\'':
			mark = string(q) + mark + string(q)
		}
		b.WriteString(mark)
		at = sp.End
	}
	b.WriteString(s[at:])
	return b.String()
}
