package lint

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// fixedNow is the clock of every test run.
var fixedNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// testCatalog is testdata/catalog: three tiny rules that stand in for the
// built-in catalog, so engine tests do not move when the catalog does.
var testCatalog = sync.OnceValues(func() (*ruleSet, error) {
	return catalogFrom(os.DirFS("testdata/catalog"))
})

func testOptions(t testing.TB) Options {
	t.Helper()
	cat, err := testCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return Options{Now: fixedNow, catalog: cat}
}

// fixture copies testdata/platform into a temporary spec directory, with
// files added or replaced (name → content; "" deletes), and returns it.
func fixture(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir("testdata/platform", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("testdata/platform", p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(dir, rel), string(b))
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if content == "" {
			os.Remove(p)
			continue
		}
		if err := writeFile(p, content); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeFile(p, content string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(content), 0o644)
}

func load(t testing.TB, dir string) *schema.Model {
	t.Helper()
	m, err := schema.Load(context.Background(), dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return m
}

// lintFixture lints the fixture with extra files, with the test catalog.
func lintFixture(t testing.TB, files map[string]string, opts func(*Options)) *Result {
	t.Helper()
	m := load(t, fixture(t, files))
	o := testOptions(t)
	if opts != nil {
		opts(&o)
	}
	res, err := Lint(context.Background(), m, o)
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	return res
}

// lintError lints the fixture with extra files and returns the spec
// errors, each as file:line:col: path: msg relative to the spec dir.
func lintError(t testing.TB, files map[string]string) []string {
	t.Helper()
	m := load(t, fixture(t, files))
	_, err := Lint(context.Background(), m, testOptions(t))
	var list *diag.List
	if !errors.As(err, &list) {
		t.Fatalf("lint: want *diag.List, got %T %v", err, err)
	}
	var out []string
	for _, e := range list.Diags {
		out = append(out, e.Error())
	}
	return out
}

// summary renders findings one per line: id pos service [envs] flags: msg.
func summary(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		flags := ""
		if f.Suppressed {
			flags = " suppressed"
		}
		fmt.Fprintf(&b, "%s %s %s %s [%s]%s: %s\n", f.RuleID, f.Severity, f.Pos, f.Service, strings.Join(f.Environments, ","), flags, f.Message)
	}
	return b.String()
}

func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := writeFile(path, string(got)); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./lint -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func readFile(p string) (string, error) {
	b, err := os.ReadFile(p)
	return string(b), err
}

func sortStrings(s []string) { sort.Strings(s) }
