package render

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func yamlObj(target Target, env, path string, value any) Object {
	return Object{Target: target, Env: env, Path: path, Source: "services/orders.cue", Value: value}
}

// entry is what snapshot records about one path.
type entry struct {
	dir   bool
	data  string
	mode  fs.FileMode
	mtime time.Time
}

// snapshot records every file and directory under dir (data, mode, mtime),
// so a test can assert that a failed operation left it exactly as it was.
func snapshot(t *testing.T, dir string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		e := entry{dir: d.IsDir(), mode: info.Mode()}
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			e.data, e.mtime = string(data), info.ModTime()
		}
		out[filepath.ToSlash(rel)] = e
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

func assertSameTree(t *testing.T, before, after map[string]entry) {
	t.Helper()
	for p, b := range before {
		a, ok := after[p]
		if !ok {
			t.Errorf("%s disappeared", p)
			continue
		}
		if a != b {
			t.Errorf("%s changed: before %+v, after %+v", p, b, a)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
}

func mustWrite(t *testing.T, out string, objs []Object, opts WriteOptions) WriteResult {
	t.Helper()
	res, err := Write(t.Context(), out, objs, opts)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return res
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWriteRejectsUnsafePaths(t *testing.T) {
	for _, p := range []string{"../x", "/etc/x", "a/../../x", "a/../b", "./a", "a//b", "a/", `a\b`, "", ".", "..", ManifestName} {
		t.Run(p, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			_, err := Write(t.Context(), out, []Object{yamlObj(TargetIstio, "", p, map[string]any{"a": 1})}, WriteOptions{})
			var unsafe *UnsafePathError
			if !errors.As(err, &unsafe) {
				t.Fatalf("got error %v, want *UnsafePathError", err)
			}
			if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("output directory was created")
			}
		})
	}
}

func TestWriteRejectsSymlinkEscape(t *testing.T) {
	base := t.TempDir()
	out, outside := filepath.Join(base, "out"), filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(out, "real"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(out, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../outside", filepath.Join(out, "relative-escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(out, "inside")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(outside, "target.yaml"), "outside\n")
	if err := os.Symlink(filepath.Join(outside, "target.yaml"), filepath.Join(out, "file-link.yaml")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		path    string
		wantErr string
	}{
		{"escape/x.yaml", "outside the output directory"},
		{"relative-escape/deeper/x.yaml", "outside the output directory"},
		{"file-link.yaml", "symbolic link"},
		{"inside/x.yaml", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			before := snapshot(t, outside)
			_, err := Write(t.Context(), out, []Object{yamlObj(TargetIstio, "", tt.path, map[string]any{"a": 1})}, WriteOptions{})
			assertSameTree(t, before, snapshot(t, outside))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("a symlink that stays inside the output directory is followed: %v", err)
				}
				if _, err := os.Stat(filepath.Join(out, "real", "x.yaml")); err != nil {
					t.Error(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestWriteFailsWhenOutDirIsAFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "deploy")
	writeFile(t, out, "not a directory\n")
	_, err := Write(t.Context(), out, []Object{yamlObj(TargetIstio, "", "a.yaml", map[string]any{"a": 1})}, WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), out) || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("got error %v, want one naming %s as not a directory", err, out)
	}
}

// Root ignores permission bits, so a 0555 directory only fails for other
// users. The second case fails for root too: the directory a file belongs in
// cannot be created because a regular file has its name.
func TestWriteReportsUnwritableDirectories(t *testing.T) {
	tests := []struct {
		name     string
		skipRoot bool
		setup    func(t *testing.T, out string)
		want     []string
	}{
		{
			name:     "read-only directory",
			skipRoot: true,
			setup: func(t *testing.T, out string) {
				dir := filepath.Join(out, "istio")
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(dir, 0o555); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.Chmod(dir, 0o755) })
			},
			want: []string{"istio", "permission denied"},
		},
		{
			name: "parent is a file",
			setup: func(t *testing.T, out string) {
				writeFile(t, filepath.Join(out, "istio"), "I am a file\n")
			},
			want: []string{filepath.Join("out", "istio"), "is a file, not a directory"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skipRoot && os.Geteuid() == 0 {
				t.Skip("root can write to read-only directories")
			}
			out := filepath.Join(t.TempDir(), "out")
			tt.setup(t, out)
			before := snapshot(t, out)
			_, err := Write(t.Context(), out, []Object{
				yamlObj(TargetIstio, "prod", "aaa.yaml", map[string]any{"a": 1}),
				yamlObj(TargetIstio, "prod", "istio/prod.yaml", map[string]any{"a": 1}),
			}, WriteOptions{})
			if err == nil {
				t.Fatal("Write succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			assertSameTree(t, before, snapshot(t, out))
		})
	}
}

// previousOutput writes a first generation of output with a foreign file
// beside it, and returns the objects of a second generation that creates,
// updates and prunes files.
func previousOutput(t *testing.T, out string) []Object {
	t.Helper()
	mustWrite(t, out, []Object{
		yamlObj(TargetIstio, "prod", "istio/prod/orders.yaml", map[string]any{"timeout": "1s"}),
		yamlObj(TargetIstio, "prod", "istio/prod/payments.yaml", map[string]any{"timeout": "2s"}),
		yamlObj(TargetKratos, "prod", "kratos/prod/orders.yaml", map[string]any{"addr": ":8000"}),
	}, WriteOptions{})
	writeFile(t, filepath.Join(out, "istio", "prod", "README.md"), "hand-written\n")
	return []Object{
		yamlObj(TargetIstio, "prod", "istio/prod/orders.yaml", map[string]any{"timeout": "3s"}),
		yamlObj(TargetIstio, "prod", "istio/prod/users.yaml", map[string]any{"timeout": "1s"}),
		yamlObj(TargetKratos, "prod", "kratos/prod/orders.yaml", map[string]any{"addr": ":9000"}),
		yamlObj(TargetKratos, "prod", "kratos/prod/new/users.yaml", map[string]any{"addr": ":9000"}),
	}
}

func TestFailedWriteLeavesPreviousOutputByteIdentical(t *testing.T) {
	injected := errors.New("injected failure")
	failOn := func(n int) func(string) error {
		calls := 0
		return func(string) error {
			calls++
			if calls == n {
				return injected
			}
			return nil
		}
	}
	tests := []struct {
		name   string
		hooks  func(cancel context.CancelFunc) *writeHooks
		expect error
	}{
		{"staging fails on the third file", func(context.CancelFunc) *writeHooks {
			return &writeHooks{afterStage: failOn(3)}
		}, injected},
		{"staging fails on the last file", func(context.CancelFunc) *writeHooks {
			return &writeHooks{afterStage: failOn(4)}
		}, injected},
		{"rename fails after two files are in place", func(context.CancelFunc) *writeHooks {
			return &writeHooks{beforeCommit: failOn(3)}
		}, injected},
		{"context cancelled while staging", func(cancel context.CancelFunc) *writeHooks {
			return &writeHooks{afterStage: func(string) error { cancel(); return nil }}
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			next := previousOutput(t, out)
			before := snapshot(t, out)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			_, err := Write(ctx, out, next, WriteOptions{hooks: tt.hooks(cancel)})
			if !errors.Is(err, tt.expect) {
				t.Fatalf("got error %v, want %v", err, tt.expect)
			}
			assertSameTree(t, before, snapshot(t, out))

			// The same write without the failure goes through.
			res := mustWrite(t, out, next, WriteOptions{})
			if len(res.Created) != 2 || len(res.Updated) != 2 || !slices.Equal(res.Pruned, []string{"istio/prod/payments.yaml"}) {
				t.Errorf("retry: %+v", res)
			}
		})
	}
}

// manyObjects is an output big enough that files and directories are
// created concurrently: n files in n/4 new directories of two levels.
func manyObjects(n int, value string) []Object {
	var objs []Object
	for i := range n {
		p := fmt.Sprintf("kratos/prod/svc%03d/config-%d.yaml", i/4, i%4)
		objs = append(objs, yamlObj(TargetKratos, "prod", p, map[string]any{"value": value, "i": i}))
	}
	return objs
}

func TestFailedConcurrentWriteReportsTheFirstFailureByPath(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	mustWrite(t, out, manyObjects(40, "old"), WriteOptions{})
	before := snapshot(t, out)
	next := manyObjects(200, "new")
	injected := errors.New("injected failure")
	for range 10 {
		// Whichever fails first in time, the error is the one of the
		// first failing path, the 84th file.
		var calls atomic.Int64
		hooks := &writeHooks{afterStage: func(path string) error {
			calls.Add(1)
			switch path {
			case "kratos/prod/svc020/config-3.yaml", "kratos/prod/svc030/config-1.yaml", "kratos/prod/svc040/config-0.yaml":
				return fmt.Errorf("%w for %s", injected, path)
			}
			return nil
		}}
		_, err := Write(t.Context(), out, next, WriteOptions{hooks: hooks})
		if !errors.Is(err, injected) || !strings.Contains(err.Error(), "for kratos/prod/svc020/config-3.yaml") {
			t.Fatalf("got error %v, want the failure of svc020/config-3.yaml", err)
		}
		if calls.Load() < 84 {
			t.Errorf("afterStage ran %d times; every file before the first failure by path must be staged", calls.Load())
		}
		assertSameTree(t, before, snapshot(t, out))
	}
	res := mustWrite(t, out, next, WriteOptions{})
	if len(res.Created) != 160 || len(res.Updated) != 40 {
		t.Errorf("retry created %d and updated %d files, want 160 and 40", len(res.Created), len(res.Updated))
	}
}

func TestForEachReportsTheLowestFailingIndex(t *testing.T) {
	for range 20 {
		var ran [100]atomic.Bool
		err := forEach(100, 8, func(i int) error {
			ran[i].Store(true)
			if i == 17 || i == 3 || i == 60 {
				return fmt.Errorf("index %d", i)
			}
			return nil
		})
		if err == nil || err.Error() != "index 3" {
			t.Fatalf("got %v, want index 3", err)
		}
		for i := range 3 {
			if !ran[i].Load() {
				t.Errorf("index %d, below the failure, did not run", i)
			}
		}
	}
	if err := forEach(0, 8, func(int) error { return errors.New("called") }); err != nil {
		t.Errorf("forEach of nothing: %v", err)
	}
}

func TestWriteResultAndUnchangedFilesKeepTheirMtime(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	next := previousOutput(t, out)
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	unchanged := yamlObj(TargetKratos, "dev", "kratos/dev/orders.yaml", map[string]any{"addr": ":8000"})
	mustWrite(t, out, []Object{unchanged}, WriteOptions{Scope: Scope{Envs: []string{"dev"}}})
	path := filepath.Join(out, "kratos", "dev", "orders.yaml")
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}

	res := mustWrite(t, out, append(next, unchanged), WriteOptions{})
	want := WriteResult{
		Created:         []string{"istio/prod/users.yaml", "kratos/prod/new/users.yaml"},
		Updated:         []string{"istio/prod/orders.yaml", "kratos/prod/orders.yaml"},
		Unchanged:       []string{"kratos/dev/orders.yaml"},
		Pruned:          []string{"istio/prod/payments.yaml"},
		ManifestWritten: true,
	}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("got  %+v\nwant %+v", res, want)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !info.ModTime().Equal(old) {
		t.Errorf("unchanged file was rewritten: mtime %v, want %v", info.ModTime(), old)
	}

	again := mustWrite(t, out, append(next, unchanged), WriteOptions{})
	if len(again.Created)+len(again.Updated)+len(again.Pruned) != 0 || again.ManifestWritten || len(again.Unchanged) != 5 {
		t.Errorf("second identical write changed something: %+v", again)
	}
}

func TestPruneRemovesOnlyOwnedFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	mustWrite(t, out, []Object{
		yamlObj(TargetIstio, "prod", "istio/prod/orders.yaml", map[string]any{"a": 1}),
		yamlObj(TargetIstio, "prod", "istio/prod/payments.yaml", map[string]any{"a": 1}),
		yamlObj(TargetIstio, "prod", "istio/staging/orders.yaml", map[string]any{"a": 1}),
		yamlObj(TargetIstio, "prod", "istio/staging/deep/er/users.yaml", map[string]any{"a": 1}),
		yamlObj(TargetIstio, "prod", "keep.yaml", map[string]any{"a": 1}),
	}, WriteOptions{})
	foreign := map[string]string{
		"istio/prod/README.md":    "notes\n",
		"istio/prod/orders.yaml~": "editor backup\n",
		"other/file.txt":          "x\n",
		".gitignore":              "*.tmp\n",
	}
	for p, data := range foreign {
		writeFile(t, filepath.Join(out, filepath.FromSlash(p)), data)
	}
	if err := os.MkdirAll(filepath.Join(out, "empty-foreign-dir"), 0o755); err != nil {
		t.Fatal(err)
	}

	res := mustWrite(t, out, []Object{yamlObj(TargetIstio, "prod", "keep.yaml", map[string]any{"a": 1})}, WriteOptions{})
	wantPruned := []string{"istio/prod/orders.yaml", "istio/prod/payments.yaml", "istio/staging/deep/er/users.yaml", "istio/staging/orders.yaml"}
	if !slices.Equal(res.Pruned, wantPruned) {
		t.Errorf("pruned %v, want %v", res.Pruned, wantPruned)
	}
	got := snapshot(t, out)
	for p, data := range foreign {
		if got[p].data != data {
			t.Errorf("foreign file %s was touched: %+v", p, got[p])
		}
	}
	for _, p := range []string{"istio/prod", "empty-foreign-dir", "keep.yaml"} {
		if _, ok := got[p]; !ok {
			t.Errorf("%s was removed", p)
		}
	}
	for _, p := range []string{"istio/staging", "istio/prod/orders.yaml"} {
		if _, ok := got[p]; ok {
			t.Errorf("%s was left behind", p)
		}
	}
	m, err := ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 1 || m.Files[0].Path != "keep.yaml" {
		t.Errorf("manifest lists %+v", m.Files)
	}
}

func TestScopedWriteKeepsOtherScopes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	all := []Object{
		yamlObj(TargetIstio, "dev", "istio/dev/orders.yaml", map[string]any{"a": 1}),
		yamlObj(TargetIstio, "prod", "istio/prod/orders.yaml", map[string]any{"a": 1}),
		yamlObj(TargetIstio, "prod", "istio/prod/payments.yaml", map[string]any{"a": 1}),
		yamlObj(TargetKratos, "prod", "kratos/prod/orders.yaml", map[string]any{"a": 1}),
		yamlObj(TargetGitHub, "", ".github/workflows/deploy-orders.yaml", map[string]any{"a": 1}),
	}
	mustWrite(t, out, all, WriteOptions{})

	scope := Scope{Targets: []Target{TargetIstio}, Envs: []string{"prod"}}
	res := mustWrite(t, out, []Object{yamlObj(TargetIstio, "prod", "istio/prod/orders.yaml", map[string]any{"a": 2})}, WriteOptions{Scope: scope})
	if !slices.Equal(res.Pruned, []string{"istio/prod/payments.yaml"}) || !slices.Equal(res.Updated, []string{"istio/prod/orders.yaml"}) {
		t.Errorf("scoped write: %+v", res)
	}
	for _, p := range []string{"istio/dev/orders.yaml", "kratos/prod/orders.yaml", ".github/workflows/deploy-orders.yaml"} {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(p))); err != nil {
			t.Errorf("file of another scope: %v", err)
		}
	}
	m, err := ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	want := []string{".github/workflows/deploy-orders.yaml", "istio/dev/orders.yaml", "istio/prod/orders.yaml", "kratos/prod/orders.yaml"}
	if !slices.Equal(paths, want) {
		t.Errorf("manifest lists %v, want %v", paths, want)
	}

	// An object outside the scope is a caller error, not a silent write.
	_, err = Write(t.Context(), out, all, WriteOptions{Scope: scope})
	if err == nil || !strings.Contains(err.Error(), "outside the scope") {
		t.Errorf("got %v, want an out-of-scope error", err)
	}
	if got := scope.Filter(all); len(got) != 2 {
		t.Errorf("Filter kept %d objects, want 2", len(got))
	}
}

func TestCorruptManifestIsAnError(t *testing.T) {
	sha := strings.Repeat("a", 64)
	tests := []struct {
		name     string
		manifest string
		want     string
	}{
		{"not JSON", "{", "invalid JSON"},
		{"truncated", `{"version": 1, "files": [`, "invalid JSON"},
		{"trailing data", `{"version": 1, "files": []} {}`, "after the manifest"},
		{"unknown version", `{"version": 2, "files": []}`, "format version 2"},
		{"missing version", `{"files": []}`, "format version 0"},
		{"unknown field", `{"version": 1, "files": [], "owner": "x"}`, "unknown field"},
		{"escaping path", `{"version": 1, "files": [{"path": "../../etc/passwd", "target": "istio", "sha256": "` + sha + `"}]}`, "unsafe output path"},
		{"absolute path", `{"version": 1, "files": [{"path": "/etc/passwd", "target": "istio", "sha256": "` + sha + `"}]}`, "unsafe output path"},
		{"duplicate path", `{"version": 1, "files": [{"path": "a", "target": "istio", "sha256": "` + sha + `"}, {"path": "a", "target": "istio", "sha256": "` + sha + `"}]}`, "listed twice"},
		{"bad digest", `{"version": 1, "files": [{"path": "a", "target": "istio", "sha256": "xyz"}]}`, "not a hex SHA-256"},
		{"no target", `{"version": 1, "files": [{"path": "a", "sha256": "` + sha + `"}]}`, "no target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			mustWrite(t, out, []Object{yamlObj(TargetIstio, "", "a", map[string]any{"a": 1}), yamlObj(TargetIstio, "", "b.yaml", map[string]any{"a": 1})}, WriteOptions{})
			writeFile(t, filepath.Join(out, ManifestName), tt.manifest)
			before := snapshot(t, out)
			next := []Object{yamlObj(TargetIstio, "", "c.yaml", map[string]any{"a": 1})}

			_, err := Write(t.Context(), out, next, WriteOptions{})
			var merr *ManifestError
			if !errors.As(err, &merr) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write: got %v, want a *ManifestError containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), ManifestName) {
				t.Errorf("error %q does not name the manifest", err)
			}
			if _, err := Check(t.Context(), out, next, WriteOptions{}); !errors.As(err, &merr) {
				t.Errorf("Check: got %v, want a *ManifestError", err)
			}
			if _, err := ReadManifest(out); !errors.As(err, &merr) {
				t.Errorf("ReadManifest: got %v, want a *ManifestError", err)
			}
			assertSameTree(t, before, snapshot(t, out))
		})
	}
}

func TestManifestThatIsADirectoryIsAnError(t *testing.T) {
	out := t.TempDir()
	if err := os.Mkdir(filepath.Join(out, ManifestName), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Write(t.Context(), out, []Object{yamlObj(TargetIstio, "", "a.yaml", map[string]any{"a": 1})}, WriteOptions{})
	var merr *ManifestError
	if !errors.As(err, &merr) {
		t.Fatalf("got %v, want *ManifestError", err)
	}
}

func TestUnownedFilesAreNotOverwritten(t *testing.T) {
	obj := yamlObj(TargetIstio, "", "istio/a.yaml", map[string]any{"a": 1})
	t.Run("different content is refused", func(t *testing.T) {
		out := t.TempDir()
		writeFile(t, filepath.Join(out, "istio", "a.yaml"), "mine\n")
		writeFile(t, filepath.Join(out, "b.yaml"), "mine too\n")
		before := snapshot(t, out)
		objs := []Object{obj, yamlObj(TargetIstio, "", "b.yaml", map[string]any{"b": 1}), yamlObj(TargetIstio, "", "c.yaml", map[string]any{"c": 1})}
		_, err := Write(t.Context(), out, objs, WriteOptions{})
		var uerr *UnownedFileError
		if !errors.As(err, &uerr) || !slices.Equal(uerr.Paths, []string{"b.yaml", "istio/a.yaml"}) {
			t.Fatalf("got %v, want *UnownedFileError for both files", err)
		}
		assertSameTree(t, before, snapshot(t, out))

		res := mustWrite(t, out, objs, WriteOptions{Overwrite: true})
		if !slices.Equal(res.Updated, []string{"b.yaml", "istio/a.yaml"}) {
			t.Errorf("with Overwrite: %+v", res)
		}
	})
	t.Run("identical content is adopted", func(t *testing.T) {
		out := t.TempDir()
		files, err := EncodeObjects([]Object{obj})
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(out, "istio", "a.yaml"), string(files[0].Data))
		res := mustWrite(t, out, []Object{obj}, WriteOptions{})
		if !slices.Equal(res.Unchanged, []string{"istio/a.yaml"}) || !res.ManifestWritten {
			t.Errorf("got %+v", res)
		}
		res = mustWrite(t, out, nil, WriteOptions{})
		if !slices.Equal(res.Pruned, []string{"istio/a.yaml"}) {
			t.Errorf("adopted file is owned and pruned: %+v", res)
		}
	})
}

func TestOwnedFileDeletedByHandIsForgotten(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, []Object{yamlObj(TargetIstio, "", "a.yaml", map[string]any{"a": 1}), yamlObj(TargetIstio, "", "b.yaml", map[string]any{"a": 1})}, WriteOptions{})
	if err := os.Remove(filepath.Join(out, "a.yaml")); err != nil {
		t.Fatal(err)
	}
	res := mustWrite(t, out, []Object{yamlObj(TargetIstio, "", "b.yaml", map[string]any{"a": 1})}, WriteOptions{})
	if len(res.Pruned) != 0 || !res.ManifestWritten {
		t.Errorf("got %+v", res)
	}
	m, err := ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 1 || m.Files[0].Path != "b.yaml" {
		t.Errorf("manifest lists %+v", m.Files)
	}
}

func TestEmptyWriteIntoMissingDirectoryCreatesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	mustWrite(t, out, nil, WriteOptions{})
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("output directory exists: %v", err)
	}
}

// siblings lists the names in dir, to find temporary directories a write
// left beside its output.
func siblings(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestFirstWriteAppearsWholeInOneStep(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "deploy", "out")
	objs := manyObjects(40, "v")
	var staged atomic.Int64
	hooks := &writeHooks{afterStage: func(string) error {
		staged.Add(1)
		// While files are written, nothing is at the output path yet.
		if _, err := os.Lstat(filepath.Join(parent, "deploy")); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("output visible while staging: %v", err)
		}
		return nil
	}}
	res, err := Write(t.Context(), out, objs, WriteOptions{hooks: hooks})
	if err != nil {
		t.Fatal(err)
	}
	if staged.Load() != 40 || len(res.Created) != 40 || !res.ManifestWritten {
		t.Errorf("staged %d, result %d created, manifest written %v; want 40, 40, true", staged.Load(), len(res.Created), res.ManifestWritten)
	}
	if names := siblings(t, parent); !slices.Equal(names, []string{"deploy"}) {
		t.Errorf("beside the output: %v, want only deploy", names)
	}
	for _, f := range res.Created {
		info, err := os.Stat(filepath.Join(out, filepath.FromSlash(f)))
		if err != nil || info.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v, mode %v; want a 0644 file", f, err, info)
		}
	}
	// The output is an ordinary one: a second write changes nothing.
	again := mustWrite(t, out, objs, WriteOptions{})
	if len(again.Unchanged) != 40 || len(again.Created)+len(again.Updated)+len(again.Pruned) != 0 {
		t.Errorf("second write: %+v", again)
	}
}

func TestFailedFirstWriteLeavesNothingBehind(t *testing.T) {
	for name, hooks := range map[string]*writeHooks{
		"staging fails": {afterStage: func(p string) error {
			if p == "kratos/prod/svc005/config-1.yaml" {
				return errors.New("injected")
			}
			return nil
		}},
		"commit fails": {beforeCommit: func(string) error { return errors.New("injected") }},
	} {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			_, err := Write(t.Context(), filepath.Join(parent, "out"), manyObjects(40, "v"), WriteOptions{hooks: hooks})
			if err == nil || !strings.Contains(err.Error(), "injected") {
				t.Fatalf("err = %v, want the injected failure", err)
			}
			if names := siblings(t, parent); len(names) != 0 {
				t.Errorf("left behind: %v", names)
			}
		})
	}
}

func TestRenamedNewDirectoryIsRemovedWhenALaterFileFails(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	next := previousOutput(t, out)
	before := snapshot(t, out)
	// In path order the fourth file to be put in place comes after the new
	// directory kratos/prod/new was renamed into place with its file.
	calls := 0
	hooks := &writeHooks{beforeCommit: func(string) error {
		calls++
		if calls == 4 {
			return errors.New("injected")
		}
		return nil
	}}
	if _, err := Write(t.Context(), out, next, WriteOptions{hooks: hooks}); err == nil {
		t.Fatal("Write succeeded")
	}
	assertSameTree(t, before, snapshot(t, out))
	for _, name := range siblings(t, filepath.Join(out, "kratos", "prod")) {
		if strings.HasPrefix(name, ".govctl-tmp-") {
			t.Errorf("temporary %s left behind", name)
		}
	}
}

func TestDanglingSymlinkAsOutputIsAnError(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	if err := os.Symlink(filepath.Join(parent, "missing"), out); err != nil {
		t.Skip(err)
	}
	_, err := Write(t.Context(), out, manyObjects(4, "v"), WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "symbolic link to a missing directory") {
		t.Fatalf("err = %v, want a dangling symlink error", err)
	}
	if target, err := os.Readlink(out); err != nil || target != filepath.Join(parent, "missing") {
		t.Errorf("symlink changed: %q, %v", target, err)
	}
	if names := siblings(t, parent); !slices.Equal(names, []string{"out"}) {
		t.Errorf("beside the output: %v", names)
	}
}
