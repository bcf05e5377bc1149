package schema

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/govctl/govctl/internal/testgen"
)

// copySpec copies the .cue files of a spec dir into a new temp dir.
func copySpec(t testing.TB, from string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".cue" {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func loadCached(t *testing.T, dir string, opts CacheOptions) *Model {
	t.Helper()
	m, err := LoadCached(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// cacheEntries lists the cache's model files.
func cacheEntries(t testing.TB, cache string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(cache, "models", "*.model"))
	return files
}

// sameModel fails unless a and b are the same model: resolved JSON,
// declarations, positions and provenance in every environment.
func sameModel(t *testing.T, a, b *Model) {
	t.Helper()
	if a.Dir != b.Dir || a.Package != b.Package || !reflect.DeepEqual(a.Files, b.Files) {
		t.Errorf("dir/package/files differ: %q %q %v vs %q %q %v", a.Dir, a.Package, a.Files, b.Dir, b.Package, b.Files)
	}
	for name, v := range map[string][2]any{
		"platform":     {a.Platform, b.Platform},
		"environments": {a.Environments, b.Environments},
		"services":     {a.Services, b.Services},
		"policies":     {a.Policies, b.Policies},
		"positions":    {a.positions, b.positions},
	} {
		if !reflect.DeepEqual(v[0], v[1]) {
			t.Errorf("%s differ:\n%#v\n%#v", name, v[0], v[1])
		}
	}
	for _, env := range a.EnvironmentNames() {
		ra, err := a.Resolve(env)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := b.Resolve(env)
		if err != nil {
			t.Fatal(err)
		}
		ja, _ := json.Marshal(ra.Services)
		jb, _ := json.Marshal(rb.Services)
		if string(ja) != string(jb) {
			t.Errorf("%s: resolved services differ:\n%s\n%s", env, ja, jb)
		}
		for name, sa := range ra.Services {
			sb := rb.Services[name]
			if !reflect.DeepEqual(sa, sb) {
				t.Errorf("%s/%s: services differ:\n%#v\n%#v", env, name, sa, sb)
			}
			if sa.Pos != sb.Pos || sa.Source != sb.Source || !reflect.DeepEqual(sa.prov, sb.prov) {
				t.Errorf("%s/%s: positions or provenance differ", env, name)
			}
		}
	}
}

func TestCachedModelIsTheLoadedModel(t *testing.T) {
	gen := t.TempDir()
	if err := testgen.Write(gen, testgen.Options{Services: 20, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"shop": copySpec(t, "../examples/shop"), "generated": gen} {
		t.Run(name, func(t *testing.T) {
			opts := CacheOptions{Dir: t.TempDir(), Version: "test"}
			want, err := Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			first := loadCached(t, dir, opts)
			if first.fromCache() {
				t.Fatal("first load came from an empty cache")
			}
			second := loadCached(t, dir, opts)
			if !second.fromCache() {
				t.Fatal("second load of unchanged files missed the cache")
			}
			sameModel(t, want, first)
			sameModel(t, want, second)
		})
	}
}

func TestCacheMissesAfterAnEdit(t *testing.T) {
	dir := copySpec(t, "../examples/shop")
	opts := CacheOptions{Dir: t.TempDir(), Version: "test"}
	loadCached(t, dir, opts)
	p := filepath.Join(dir, "govctl.cue")
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(src, "\n// edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	m := loadCached(t, dir, opts)
	if m.fromCache() {
		t.Fatal("an edited spec was read from the cache")
	}
	if n := len(cacheEntries(t, opts.Dir)); n != 1 {
		t.Errorf("cache holds %d entries for one spec dir, want 1 (older ones pruned)", n)
	}
	if m := loadCached(t, dir, opts); !m.fromCache() {
		t.Error("the edited spec was not cached")
	}
	// Another govctl build never reads this one's entries.
	if m := loadCached(t, dir, CacheOptions{Dir: opts.Dir, Version: "other"}); m.fromCache() {
		t.Error("another version read the cache")
	}
}

func TestCacheIgnoresACorruptEntry(t *testing.T) {
	dir := copySpec(t, "../examples/shop")
	opts := CacheOptions{Dir: t.TempDir(), Version: "test"}
	want := loadCached(t, dir, opts)
	entries := cacheEntries(t, opts.Dir)
	if len(entries) != 1 {
		t.Fatalf("cache entries: %v", entries)
	}
	good, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	fs := frames(good)
	if len(fs) < 3 {
		t.Fatalf("entry has %d frames", len(fs))
	}
	var header []byte
	header = appendFrame(header, fs[0])
	// Positions that index a file the table does not have.
	badIndex := appendFrame(header, []byte(`{"services.orders":[999,1,1]}`))
	for _, f := range fs[2:] {
		badIndex = appendFrame(badIndex, f)
	}
	for _, corrupt := range []string{
		"", "{not json", `{"Format":"govctl-model-cache/1"}`, `{"Format":"govctl-model-cache/1","Environments":{"dev":null},"Services":{},"Positions":{}}`,
		string(good[:len(good)/2]), string(header), string(badIndex), string(appendFrame(header, []byte("[]"))),
	} {
		if err := os.WriteFile(entries[0], []byte(corrupt), 0o644); err != nil {
			t.Fatal(err)
		}
		m := loadCached(t, dir, opts)
		if m.fromCache() {
			t.Fatalf("corrupt entry %q was used", corrupt)
		}
		sameModel(t, want, m)
		if m := loadCached(t, dir, opts); !m.fromCache() {
			t.Fatalf("corrupt entry %q was not rebuilt", corrupt)
		}
	}
}

func TestCachedModelExplains(t *testing.T) {
	dir := copySpec(t, "../examples/shop")
	opts := CacheOptions{Dir: t.TempDir(), Version: "test"}
	want := loadCached(t, dir, opts)
	m := loadCached(t, dir, opts)
	if !m.fromCache() {
		t.Fatal("missed the cache")
	}
	a, err := want.Explain("orders", "prod")
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Explain("orders", "prod")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("explain differs with the cache:\n%v\n%v", a, b)
	}
}

func TestCacheOffWithoutDir(t *testing.T) {
	dir := copySpec(t, "../examples/shop")
	if m := loadCached(t, dir, CacheOptions{}); m.fromCache() {
		t.Fatal("no cache dir, yet the model came from a cache")
	}
}

// FuzzReadCache: whatever a cache entry holds, reading it never panics; it
// gives a model or nil.
func FuzzReadCache(f *testing.F) {
	dir := copySpec(f, "../examples/shop")
	opts := CacheOptions{Dir: f.TempDir(), Version: "fuzz"}
	if _, err := LoadCached(context.Background(), dir, opts); err != nil {
		f.Fatal(err)
	}
	entries := cacheEntries(f, opts.Dir)
	good, err := os.ReadFile(entries[0])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add([]byte{})
	entry := filepath.Join(f.TempDir(), "entry")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(entry, data, 0o644); err != nil {
			t.Fatal(err)
		}
		readCache(entry, dir)
	})
}
