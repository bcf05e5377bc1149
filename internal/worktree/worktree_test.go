package worktree

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func mkdirs(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEveryFormOfTheSameDirGetsTheSameName: absolute, relative, with "..",
// through a symbolic link, or the work tree root itself.
func TestEveryFormOfTheSameDirGetsTheSameName(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	spec := filepath.Join(repo, "platform", "shop")
	mkdirs(t, filepath.Join(repo, ".git"), spec, filepath.Join(repo, "other"))
	if err := os.Symlink(spec, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(repo, "other"))
	for _, dir := range []string{spec, "../platform/shop", "../platform/shop/", filepath.Join(root, "link"), "../platform/../platform/shop"} {
		loc, err := Locate(dir)
		if err != nil {
			t.Fatalf("Locate(%q): %v", dir, err)
		}
		if loc.Rel != "platform/shop" {
			t.Errorf("Locate(%q).Rel = %q, want platform/shop", dir, loc.Rel)
		}
	}
	if loc, err := Locate(".."); err != nil || loc.Rel != "." {
		t.Errorf(`Locate("..") = %+v, %v; want the root "."`, loc, err)
	}
}

// TestLinkedWorkTreeHasAGitFile: git worktree add and submodules leave a
// .git file, not a directory.
func TestLinkedWorkTreeHasAGitFile(t *testing.T) {
	wt := t.TempDir()
	mkdirs(t, filepath.Join(wt, "specs"))
	if err := os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: /elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if loc, err := Locate(filepath.Join(wt, "specs")); err != nil || loc.Rel != "specs" {
		t.Errorf("Locate = %+v, %v; want specs", loc, err)
	}
}

func TestOutsideAWorkTreeIsErrNotInWorkTree(t *testing.T) {
	dir := t.TempDir()
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), ".git")); err == nil {
		t.Skip("the temporary directory is inside a git work tree")
	}
	if _, err := Locate(dir); !errors.Is(err, ErrNotInWorkTree) {
		t.Errorf("Locate(%s) = %v, want ErrNotInWorkTree", dir, err)
	}
}
