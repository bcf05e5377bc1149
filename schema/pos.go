package schema

import (
	"fmt"
	"path"
	"path/filepath"
)

// Pos is a position in a spec file. File is slash-separated and relative to
// the spec directory, so positions are stable wherever govctl runs.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// IsValid reports whether p names a place in a file.
func (p Pos) IsValid() bool { return p.File != "" && p.Line > 0 }

// String formats p as file:line:col (file:line without a column).
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
	if p.File == "" || dir == "" || dir == "." {
		return p
	}
	p.File = path.Join(filepath.ToSlash(dir), p.File)
	return p
}
