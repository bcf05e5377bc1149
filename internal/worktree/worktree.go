// Package worktree names a spec directory the way a workflow running in the
// repository must name it: relative to the root of the git work tree that
// holds it, whatever form (absolute, relative, "..", from inside the spec
// directory) the user gave it in.
package worktree

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotInWorkTree reports a directory with no git work tree above it.
var ErrNotInWorkTree = errors.New("not inside a git work tree")

// Location is where a directory sits in its git work tree.
type Location struct {
	// Root is the absolute path of the work tree (the directory holding
	// .git, a directory or, for linked work trees and submodules, a file).
	Root string
	// Rel is the directory relative to Root, slash-separated and clean;
	// "." for the root itself.
	Rel string
}

// Locate finds the git work tree holding dir by walking up from dir to the
// first directory with a .git entry, with symbolic links resolved so that
// the same directory reached by different paths gets the same name. It
// runs no git command: it needs no git on PATH and reads nothing but
// directory entries. It returns ErrNotInWorkTree (wrapped) when no parent
// has a .git.
func Locate(dir string) (Location, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Location{}, fmt.Errorf("locate %s: %w", dir, err)
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	for cur := abs; ; {
		if _, err := os.Lstat(filepath.Join(cur, ".git")); err == nil {
			rel, err := filepath.Rel(cur, abs)
			if err != nil {
				return Location{}, fmt.Errorf("locate %s: %w", dir, err)
			}
			return Location{Root: cur, Rel: filepath.ToSlash(rel)}, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return Location{}, fmt.Errorf("locate %s: %w", dir, err)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return Location{}, fmt.Errorf("%s: %w", dir, ErrNotInWorkTree)
		}
		cur = parent
	}
}
