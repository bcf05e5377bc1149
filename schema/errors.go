package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
)

// Error is a mistake in a spec: what is wrong, where, and at which field.
type Error struct {
	Pos Pos
	// Path is the dotted CUE path of the field at fault, if known.
	Path string
	Msg  string
	// Also are further places that take part in the error: the other
	// side of a conflict, e.g. an organisation baseline's constraint.
	Also []Pos
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Pos.IsValid() || e.Pos.File != "" {
		b.WriteString(e.Pos.String())
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	for i, p := range e.Also {
		if i == 0 {
			b.WriteString(" (conflicts with ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(p.String())
		if i == len(e.Also)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

// ErrorList is every mistake found in a spec, sorted by position. Its
// positions are relative to the spec dir; Dir, when set, is joined to them
// when the list is printed.
type ErrorList struct {
	Dir    string
	Errors []*Error
}

func (l *ErrorList) Error() string {
	lines := make([]string, 0, len(l.Errors))
	for _, e := range l.Errors {
		c := *e
		c.Pos = c.Pos.In(l.Dir)
		c.Also = make([]Pos, len(e.Also))
		for i, p := range e.Also {
			c.Also[i] = p.In(l.Dir)
		}
		lines = append(lines, c.Error())
	}
	return strings.Join(lines, "\n")
}

// NewErrorList returns errs as an *ErrorList sorted by position, without
// duplicates, so every package reports spec mistakes alike; nil when errs
// is empty.
func NewErrorList(dir string, errs []*Error) error {
	l := &ErrorList{Dir: dir, Errors: errs}
	return l.err()
}

// Len returns the number of errors.
func (l *ErrorList) Len() int { return len(l.Errors) }

func (l *ErrorList) add(pos Pos, path, format string, args ...any) {
	l.Errors = append(l.Errors, &Error{Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// err returns the list as an error, or nil when it is empty, after sorting
// and removing exact duplicates (CUE reports some conflicts once per
// conjunct).
func (l *ErrorList) err() error {
	if len(l.Errors) == 0 {
		return nil
	}
	sort.SliceStable(l.Errors, func(i, j int) bool {
		a, b := l.Errors[i], l.Errors[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Column != b.Pos.Column {
			return a.Pos.Column < b.Pos.Column
		}
		return a.Msg < b.Msg
	})
	out := l.Errors[:0]
	seen := map[string]bool{}
	for _, e := range l.Errors {
		k := e.Error()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	l.Errors = out
	return l
}

// closest returns the candidate nearest to name by edit distance, if it is
// near enough to be a plausible typo.
func closest(name string, candidates []string) string {
	best, bestDist := "", len(name)/2+2
	for _, c := range candidates {
		d := levenshtein.ComputeDistance(strings.ToLower(name), strings.ToLower(c))
		if d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	if bestDist > len(name)/2+1 {
		return ""
	}
	return best
}

// DidYouMean formats a suggestion ("; did you mean "x"?") of the candidate
// nearest to name, or returns "" when none is near enough to be a typo.
func DidYouMean(name string, candidates []string) string {
	if c := closest(name, candidates); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}
