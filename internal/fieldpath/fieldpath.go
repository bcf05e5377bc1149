// Package fieldpath is the typed path of a field in a govctl spec, such as
// services.orders.dependencies.payments.timeout or
// services.orders.exceptions[0].rule. Positions, provenance, lint placement
// and plan all name fields with it, so a path printed by one is parsed by
// another.
package fieldpath

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Path is a field path in the spec: services.orders.dependencies.payments.timeout,
// env overlays and list indexes included (exceptions[0].rule).
type Path []Selector

// Selector is one step of a Path: a field name, or a list index when
// IsIndex is set.
type Selector struct {
	Name    string
	Index   int
	IsIndex bool
}

// Field returns the selector of the field name.
func Field(name string) Selector { return Selector{Name: name} }

// Idx returns the selector of list element i.
func Idx(i int) Selector { return Selector{Index: i, IsIndex: true} }

// New returns the path of the field names given, in order.
func New(names ...string) Path {
	p := make(Path, len(names))
	for i, n := range names {
		p[i] = Selector{Name: n}
	}
	return p
}

// String formats s as it appears in a path: a name, quoted when it is not
// an identifier, or [i].
func (s Selector) String() string {
	if s.IsIndex {
		return "[" + strconv.Itoa(s.Index) + "]"
	}
	if isIdentifier(s.Name) {
		return s.Name
	}
	return strconv.Quote(s.Name)
}

// String prints p as CUE does: dot-separated labels, labels that are not
// identifiers quoted (services."my-svc".timeout), list indexes as [i].
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		if i > 0 && !s.IsIndex {
			b.WriteByte('.')
		}
		b.WriteString(s.String())
	}
	return b.String()
}

// Append returns p followed by sel, without modifying p's backing array.
func (p Path) Append(sel ...Selector) Path {
	out := make(Path, 0, len(p)+len(sel))
	return append(append(out, p...), sel...)
}

// Field returns p followed by the field name.
func (p Path) Field(name string) Path { return p.Append(Selector{Name: name}) }

// Index returns p followed by list element i.
func (p Path) Index(i int) Path { return p.Append(Selector{Index: i, IsIndex: true}) }

// HasPrefix reports whether q is p or a path above it.
func (p Path) HasPrefix(q Path) bool {
	if len(q) > len(p) {
		return false
	}
	for i := range q {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// Equal reports whether p and q name the same field.
func (p Path) Equal(q Path) bool { return len(p) == len(q) && p.HasPrefix(q) }

// Names returns the field names of p, list indexes in decimal.
func (p Path) Names() []string {
	out := make([]string, len(p))
	for i, s := range p {
		if s.IsIndex {
			out[i] = strconv.Itoa(s.Index)
		} else {
			out[i] = s.Name
		}
	}
	return out
}

// Last returns the last selector of p, or the zero Selector when p is
// empty.
func (p Path) Last() Selector {
	if len(p) == 0 {
		return Selector{}
	}
	return p[len(p)-1]
}

// Parent returns p without its last selector.
func (p Path) Parent() Path {
	if len(p) == 0 {
		return nil
	}
	return p[: len(p)-1 : len(p)-1]
}

// Parse reads a path as String prints it. It also accepts unquoted labels
// holding '-' (services.my-svc.timeout), as users write them in flags.
func Parse(s string) (Path, error) {
	var p Path
	i := 0
	expectLabel := true // at the start or after '.'
	for i < len(s) {
		c := s[i]
		switch {
		case c == '[':
			if i == 0 || expectLabel {
				return nil, fmt.Errorf("parse field path %q: index at column %d must follow a field", s, i+1)
			}
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("parse field path %q: unclosed [", s)
			}
			n, err := strconv.Atoi(s[i+1 : i+end])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("parse field path %q: %q is not a list index", s, s[i+1:i+end])
			}
			p = append(p, Selector{Index: n, IsIndex: true})
			i += end + 1
		case c == '.':
			if expectLabel {
				return nil, fmt.Errorf("parse field path %q: empty label at column %d", s, i+1)
			}
			expectLabel = true
			i++
			continue
		case c == '"':
			if !expectLabel {
				return nil, fmt.Errorf("parse field path %q: missing '.' before column %d", s, i+1)
			}
			q, err := strconv.QuotedPrefix(s[i:])
			if err != nil {
				return nil, fmt.Errorf("parse field path %q: bad quoted label at column %d: %w", s, i+1, err)
			}
			name, _ := strconv.Unquote(q)
			p = append(p, Selector{Name: name})
			i += len(q)
		default:
			if !expectLabel {
				return nil, fmt.Errorf("parse field path %q: missing '.' before column %d", s, i+1)
			}
			end := strings.IndexAny(s[i:], ".[\"")
			if end < 0 {
				end = len(s) - i
			}
			p = append(p, Selector{Name: s[i : i+end]})
			i += end
		}
		expectLabel = false
	}
	if expectLabel && len(s) > 0 {
		return nil, fmt.Errorf("parse field path %q: ends with '.'", s)
	}
	return p, nil
}

// MustParse is Parse for paths written in Go source; it panics on a
// malformed path.
func MustParse(s string) Path {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

// isIdentifier reports whether s is a CUE identifier (definitions and
// hidden fields included), which prints without quotes.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	t := strings.TrimPrefix(strings.TrimPrefix(s, "_"), "#")
	if t == "" {
		return false
	}
	for i, r := range t {
		switch {
		case r == '_' || r == '$' || unicode.IsLetter(r):
		case i > 0 && unicode.IsDigit(r):
		default:
			return false
		}
	}
	return true
}
