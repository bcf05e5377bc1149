// Package testutil holds what the tests of several packages share: writing
// and loading a spec directory, and comparing rendered files with golden
// files that `go test -update` rewrites.
package testutil

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/govctl/govctl/internal/testgen"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// LoadSpec writes files (slash paths → content) into a new temporary spec
// directory and loads it, failing the test on a load error.
func LoadSpec(t testing.TB, files map[string]string) *schema.Model {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := schema.Load(context.Background(), dir)
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	return m
}

// LoadGenerated writes the generated platform of n services (seed 1) into
// a new temporary directory and loads it.
func LoadGenerated(t testing.TB, n int) *schema.Model {
	t.Helper()
	dir := t.TempDir()
	if err := testgen.Write(dir, testgen.Options{Services: n, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	m, err := schema.Load(context.Background(), dir)
	if err != nil {
		t.Fatalf("load generated platform: %v", err)
	}
	return m
}

// LoadShop loads examples/shop, named relative to the test's working
// directory (as ../../examples/shop from a package two levels down), so
// that positions and messages read as they do for a user in the repo.
func LoadShop(t testing.TB) *schema.Model {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testutil: cannot locate the repository")
	}
	shop := filepath.Join(filepath.Dir(self), "..", "..", "examples", "shop")
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if rel, err := filepath.Rel(wd, shop); err == nil {
		shop = rel
	}
	m, err := schema.Load(context.Background(), shop)
	if err != nil {
		t.Fatalf("load %s: %v", shop, err)
	}
	return m
}

// GoldenFiles compares encoded files with the golden files under dir: each
// must exist with the same bytes, and dir must hold no file that is no
// longer rendered. With update, dir is rewritten from files instead.
func GoldenFiles(t testing.TB, dir string, files []render.File, update bool) {
	t.Helper()
	if update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			p := filepath.Join(dir, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
		golden, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Errorf("%s: %v (run go test -update)", f.Path, err)
			continue
		}
		if !bytes.Equal(golden, f.Data) {
			t.Errorf("%s differs from its golden file (run go test -update and review the diff):\n%s",
				f.Path, diff.Diff("golden", golden, "rendered", f.Data))
		}
	}
	var stale []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			if !want[filepath.ToSlash(rel)] {
				stale = append(stale, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	sort.Strings(stale)
	for _, s := range stale {
		t.Errorf("%s: golden file for a file no longer rendered (run go test -update)", s)
	}
}
