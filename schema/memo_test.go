package schema

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// editFile replaces old with new in a spec file, failing unless old occurs.
func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEditedSpecReusesResolutionsOfUntouchedServices(t *testing.T) {
	dir := copySpec(t, "../examples/shop")
	opts := CacheOptions{Dir: t.TempDir(), Version: "test"}
	first := loadCached(t, dir, opts)
	if first.memoHits != 0 {
		t.Fatalf("first load took %d services from an empty memo", first.memoHits)
	}
	editFile(t, filepath.Join(dir, "services", "orders.cue"), `version: "v1.4.2"`, `version: "v1.4.3"`)
	second := loadCached(t, dir, opts)
	if second.fromCache() {
		t.Fatal("an edited spec was read from the model cache")
	}
	envs := len(second.Environments)
	// orders changed in every environment; every other service is the same.
	if want := (len(second.Services) - 1) * envs; second.memoHits != want {
		t.Errorf("memo hits = %d, want %d (every service but orders, in %d environments)", second.memoHits, want, envs)
	}
	want, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	sameModel(t, want, second)
	prod, err := second.Resolve("prod")
	if err != nil {
		t.Fatal(err)
	}
	if v := prod.Services["orders"].Version; v != "v1.4.3" {
		t.Errorf("orders version = %q after the edit, want v1.4.3", v)
	}
}

func TestResolutionMemoNeverHidesASpecError(t *testing.T) {
	dir := copySpec(t, "../examples/shop")
	opts := CacheOptions{Dir: t.TempDir(), Version: "test"}
	loadCached(t, dir, opts)
	// owner is optional in each layer and required once they are merged:
	// only the check of the resolved service finds it missing.
	editFile(t, filepath.Join(dir, "services", "orders.cue"), `owner:   "team-orders"`, ``)
	_, err := LoadCached(context.Background(), dir, opts)
	if err == nil || !strings.Contains(err.Error(), "services.orders.owner: required field is missing") || !strings.Contains(err.Error(), "[in dev, prod, staging]") {
		t.Fatalf("err = %v, want orders' missing owner", err)
	}
}

func TestForeignOrCorruptMemoIsIgnored(t *testing.T) {
	dir := copySpec(t, "../examples/shop")
	want, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	for name, setup := range map[string]func(t *testing.T, cache string){
		"other build": func(t *testing.T, cache string) {
			loadCached(t, dir, CacheOptions{Dir: cache, Version: "other"})
			os.RemoveAll(filepath.Join(cache, "models"))
		},
		"truncated": func(t *testing.T, cache string) {
			loadCached(t, dir, CacheOptions{Dir: cache, Version: "test"})
			os.RemoveAll(filepath.Join(cache, "models"))
			path := memoPath(cache, abs)
			data, _ := os.ReadFile(path)
			os.WriteFile(path, data[:len(data)-7], 0o644)
		},
		"garbage": func(t *testing.T, cache string) {
			path := memoPath(cache, abs)
			os.MkdirAll(filepath.Dir(path), 0o755)
			os.WriteFile(path, []byte("not a memo at all, just some bytes"), 0o644)
		},
	} {
		t.Run(name, func(t *testing.T) {
			cache := t.TempDir()
			setup(t, cache)
			m := loadCached(t, dir, CacheOptions{Dir: cache, Version: "test"})
			if m.memoHits != 0 {
				t.Errorf("memo hits = %d from a memo that should be ignored", m.memoHits)
			}
			sameModel(t, want, m)
		})
	}
}

// A poisoned entry (the right key, other JSON) shows that hits are
// decoded from the memo, so the tests above measure what they claim.
func TestResolutionMemoEntriesAreWhatLoadUses(t *testing.T) {
	dir := copySpec(t, "../examples/shop")
	cache := t.TempDir()
	opts := CacheOptions{Dir: cache, Version: "test"}
	loadCached(t, dir, opts)
	abs, _ := filepath.Abs(dir)
	path := memoPath(cache, abs)
	memo := readMemo(path, "test")
	if len(memo.entries) == 0 {
		t.Fatal("no memo written")
	}
	for k, js := range memo.entries {
		memo.entries[k] = []byte(strings.Replace(string(js), `"owner":"`, `"owner":"poisoned-`, 1))
	}
	writeMemo(path, "test", memo.entries)
	os.RemoveAll(filepath.Join(cache, "models"))
	m := loadCached(t, dir, opts)
	r, err := m.Resolve("dev")
	if err != nil {
		t.Fatal(err)
	}
	if o := r.Services["orders"].Owner; o != "poisoned-team-orders" {
		t.Errorf("owner = %q: the load did not use the memo", o)
	}
}

func TestTreeKeyTellsTypesAndNestingApart(t *testing.T) {
	trees := []map[string]any{
		{"replicas": int64(5)},
		{"replicas": float64(5)},
		{"replicas": "5"},
		{"a": map[string]any{"b": int64(1)}},
		{"a.b": int64(1)},
		{"a": []any{"b", "c"}},
		{"a": []any{"bc"}},
		{"a": nil},
		{"a": false},
		{},
	}
	seen := map[memoKey]int{}
	for i, tree := range trees {
		k, ok := treeKey(tree)
		if !ok {
			t.Fatalf("tree %d not keyed", i)
		}
		if j, dup := seen[k]; dup {
			t.Errorf("trees %d and %d share a key: %v, %v", j, i, trees[j], tree)
		}
		seen[k] = i
	}
	if _, ok := treeKey(map[string]any{"a": struct{}{}}); ok {
		t.Error("a value of unknown type was keyed")
	}
}
