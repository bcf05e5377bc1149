// Package diag is govctl's one type for user mistakes: a Diagnostic names
// where in the user's spec something is wrong (file:line:col and the field
// path), what is wrong and what to write instead. Every package reports
// user mistakes as *Diagnostic values, collected in a *List or joined with
// errors.Join; the CLI finds them with As, never by matching message text.
package diag

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/govctl/govctl/internal/fieldpath"
)

// Severity is how bad a Diagnostic is. The zero value is Error.
type Severity int

// The severities, worst first.
const (
	Error Severity = iota
	Warning
	Info
)

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Info:
		return "info"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Pos is a position in a spec file. File is slash-separated and relative to
// the spec directory, so positions are stable wherever govctl runs.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// IsValid reports whether p names a place in a file.
func (p Pos) IsValid() bool { return p.File != "" && p.Line > 0 }

// String formats p as file:line:col (file:line without a column, file
// without a line).
func (p Pos) String() string {
	switch {
	case !p.IsValid():
		return p.File
	case p.Column > 0:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	default:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
}

// In returns p with its file joined to dir, the spec directory as the user
// named it, so that a printed position opens from the user's shell.
func (p Pos) In(dir string) Pos {
	if p.File == "" || dir == "" || dir == "." || path.IsAbs(p.File) || filepath.IsAbs(p.File) {
		return p
	}
	p.File = path.Join(filepath.ToSlash(dir), p.File)
	return p
}

// Compare orders positions by file, line and column.
func (p Pos) Compare(q Pos) int {
	if c := strings.Compare(p.File, q.File); c != 0 {
		return c
	}
	if p.Line != q.Line {
		return p.Line - q.Line
	}
	return p.Column - q.Column
}

// Diagnostic is one user mistake (or warning) at one place in the spec.
type Diagnostic struct {
	Severity Severity
	// Pos is where in the user's spec, never the embedded schema.
	Pos Pos
	// Path is the field at fault, if known.
	Path fieldpath.Path
	// Message says what is wrong and what to write instead, in the
	// user's words.
	Message string
	// Related are other places taking part (the other side of a
	// conflict).
	Related []Pos
	// Environments are the environments the mistake shows in, when it is
	// environment-specific; sorted.
	Environments []string
}

// Errorf returns an error Diagnostic at pos and path with a formatted
// message.
func Errorf(pos Pos, path fieldpath.Path, format string, args ...any) *Diagnostic {
	return &Diagnostic{Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)}
}

// Error formats d as one line:
// "file:line:col: path: message (see also …) [in prod, staging]".
// A warning or info says so before its message.
func (d *Diagnostic) Error() string {
	var b strings.Builder
	if d.Pos.File != "" {
		b.WriteString(d.Pos.String())
		b.WriteString(": ")
	}
	if len(d.Path) > 0 {
		b.WriteString(d.Path.String())
		b.WriteString(": ")
	}
	if d.Severity != Error {
		b.WriteString(d.Severity.String())
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	if len(d.Related) > 0 {
		b.WriteString(" (see also ")
		for i, p := range d.Related {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.String())
		}
		b.WriteString(")")
	}
	if len(d.Environments) > 0 {
		b.WriteString(" [in ")
		b.WriteString(strings.Join(d.Environments, ", "))
		b.WriteString("]")
	}
	return b.String()
}

// in returns a copy of d with its positions joined to dir.
func (d *Diagnostic) in(dir string) *Diagnostic {
	if dir == "" || dir == "." {
		return d
	}
	c := *d
	c.Pos = d.Pos.In(dir)
	c.Related = make([]Pos, len(d.Related))
	for i, p := range d.Related {
		c.Related[i] = p.In(dir)
	}
	return &c
}

// compare orders diagnostics by position, then path and message.
func compare(a, b *Diagnostic) int {
	if c := a.Pos.Compare(b.Pos); c != 0 {
		return c
	}
	if c := strings.Compare(a.Path.String(), b.Path.String()); c != 0 {
		return c
	}
	if c := strings.Compare(a.Message, b.Message); c != 0 {
		return c
	}
	return int(a.Severity) - int(b.Severity)
}

// sameBut reports whether a and b differ at most in their Environments.
func sameBut(a, b *Diagnostic) bool {
	return a.Severity == b.Severity && a.Pos == b.Pos && a.Path.Equal(b.Path) &&
		a.Message == b.Message && slices.Equal(a.Related, b.Related)
}

// List is every mistake found in one run. Positions are relative to the
// spec directory; Dir, when set, is joined to them when printed.
type List struct {
	Dir   string
	Diags []*Diagnostic
}

// Add appends diagnostics to l.
func (l *List) Add(d ...*Diagnostic) { l.Diags = append(l.Diags, d...) }

// Len returns the number of diagnostics in l.
func (l *List) Len() int { return len(l.Diags) }

// HasErrors reports whether l holds a diagnostic of severity Error.
func (l *List) HasErrors() bool {
	for _, d := range l.Diags {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Err returns l as an error, or nil when it is empty. It sorts the
// diagnostics by position and merges those that differ only in their
// Environments into one listing them all.
func (l *List) Err() error {
	if len(l.Diags) == 0 {
		return nil
	}
	slices.SortStableFunc(l.Diags, compare)
	out := l.Diags[:0]
	for _, d := range l.Diags {
		if n := len(out); n > 0 && sameBut(out[n-1], d) {
			prev := out[n-1]
			if !slices.Equal(prev.Environments, d.Environments) {
				merged := *prev
				merged.Environments = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(prev.Environments), d.Environments...))))
				out[n-1] = &merged
			}
			continue
		}
		if !slices.IsSorted(d.Environments) {
			c := *d
			c.Environments = slices.Sorted(slices.Values(d.Environments))
			d = &c
		}
		out = append(out, d)
	}
	l.Diags = out
	return l
}

// Error prints one diagnostic a line, positions joined to Dir.
func (l *List) Error() string {
	lines := make([]string, len(l.Diags))
	for i, d := range l.Diags {
		lines[i] = d.in(l.Dir).Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the diagnostics, so that errors.As finds a *Diagnostic
// in a list. Their positions are relative to Dir; As returns them as
// printed.
func (l *List) Unwrap() []error {
	out := make([]error, len(l.Diags))
	for i, d := range l.Diags {
		out[i] = d
	}
	return out
}

// As returns every Diagnostic inside err: err itself, the diagnostics of a
// *List (their positions joined to the list's Dir, as printed), and those
// wrapped with %w or joined with errors.Join, in order. It returns nil
// when err holds none.
func As(err error) []*Diagnostic {
	var out []*Diagnostic
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
			return
		case *Diagnostic:
			out = append(out, e)
			return
		case *List:
			for _, d := range e.Diags {
				out = append(out, d.in(e.Dir))
			}
			return
		case interface{ Unwrap() []error }:
			for _, c := range e.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}

// Closest returns the candidate nearest to name by edit distance, or ""
// when none is near enough to be a plausible typo.
func Closest(name string, candidates []string) string {
	limit := len(name)/2 + 1
	best, bestDist := "", limit+1
	for _, c := range candidates {
		d := levenshtein.ComputeDistance(strings.ToLower(name), strings.ToLower(c))
		if d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	// A suggestion that shares nothing with the name ("a" for "b") is
	// noise, not a typo's correction.
	if bestDist > limit || bestDist >= len(name) {
		return ""
	}
	return best
}

// DidYouMean formats a suggestion (`; did you mean "x"?`) of the candidate
// nearest to name, or returns "" when none is near enough to be a typo.
func DidYouMean(name string, candidates []string) string {
	if c := Closest(name, candidates); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// Count returns how many of ds are errors and how many are warnings or
// infos.
func Count(ds []*Diagnostic) (errs, warnings int) {
	for _, d := range ds {
		if d.Severity == Error {
			errs++
		} else {
			warnings++
		}
	}
	return errs, warnings
}

// Is reports whether err holds at least one Diagnostic; errors.As with a
// *Diagnostic or *List target answers the same for a single one.
func Is(err error) bool {
	var d *Diagnostic
	var l *List
	return errors.As(err, &d) || errors.As(err, &l)
}
