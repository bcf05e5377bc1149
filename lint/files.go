package lint

import (
	"path/filepath"
	"strings"
)

// fileFilter keeps the findings about the files a pre-commit hook passed.
type fileFilter struct {
	// names are the files as spec-relative, slash-separated paths.
	names map[string]bool
}

// newFileFilter reads files as the user passed them: relative to the
// working directory (pre-commit passes paths from the repository root) or
// to the spec directory dir; nil when files is empty.
func newFileFilter(dir string, files []string) *fileFilter {
	if len(files) == 0 {
		return nil
	}
	f := &fileFilter{names: map[string]bool{}}
	absDir, err := filepath.Abs(dir)
	for _, p := range files {
		if err == nil {
			if abs, aerr := filepath.Abs(p); aerr == nil {
				if rel, rerr := filepath.Rel(absDir, abs); rerr == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
					f.names[filepath.ToSlash(rel)] = true
				}
			}
		}
		if !filepath.IsAbs(p) {
			f.names[filepath.ToSlash(filepath.Clean(p))] = true
		}
	}
	return f
}

// keeps reports whether a finding of rule at file is reported: it is
// about one of the files, or comes from a custom policy file that is one.
func (f *fileFilter) keeps(file string, rule *Rule) bool {
	if f == nil {
		return true
	}
	return f.names[file] || (rule != nil && !rule.Builtin && f.names[rule.File])
}
