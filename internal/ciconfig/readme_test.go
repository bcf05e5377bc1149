package ciconfig

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// layoutBlock returns the directories the README's package picture lists
// (the first code block under "## Layout"), each with the rest of its line.
func layoutBlock(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no ## Layout section")
	}
	_, block, ok := strings.Cut(section, "```\n")
	if ok {
		block, _, ok = strings.Cut(block, "```")
	}
	if !ok {
		t.Fatal("the README's Layout section has no code block")
	}
	dirs := map[string]string{}
	last := ""
	for line := range strings.SplitSeq(block, "\n") {
		if line == "" {
			continue
		}
		if line[0] == ' ' { // a continuation of the previous entry
			dirs[last] += " " + strings.TrimSpace(line)
			continue
		}
		dir, rest, _ := strings.Cut(line, " ")
		last = strings.TrimSuffix(dir, "/")
		dirs[last] = strings.TrimSpace(rest)
	}
	return dirs
}

// TestTheReadmesPackagePictureMatchesTheCode checks that every directory of
// Go code in the module has a line in the README's package picture (the
// packages under internal/ are named on its line) and that every listed
// directory exists.
func TestTheReadmesPackagePictureMatchesTheCode(t *testing.T) {
	dirs := layoutBlock(t)
	for dir := range dirs {
		if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(dir))); err != nil {
			t.Errorf("the README lists %s/, which does not exist", dir)
		}
	}
	reported := map[string]bool{}
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, repoRoot+string(filepath.Separator)))
		if d.IsDir() {
			switch {
			case strings.HasPrefix(d.Name(), ".") && p != repoRoot,
				d.Name() == "testdata", rel == "examples", rel == "tools", rel == "scripts":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || !strings.Contains(rel, "/") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		if reported[dir] {
			return nil
		}
		reported[dir] = true
		if sub, ok := strings.CutPrefix(dir, "internal/"); ok {
			name, _, _ := strings.Cut(sub, "/")
			if !strings.Contains(dirs["internal"], name) {
				t.Errorf("the README's internal/ line does not name internal/%s", name)
			}
			return nil
		}
		if _, ok := dirs[dir]; !ok {
			t.Errorf("package %s has no line in the README's package picture", dir)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
