package render

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCheckReportsStaleFilesAndWritesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	next := previousOutput(t, out)
	// A hand edit of an owned file is staleness too.
	writeFile(t, filepath.Join(out, "kratos", "prod", "orders.yaml"), "edited by hand\n")
	before := snapshot(t, out)

	res, err := Check(t.Context(), out, next, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	assertSameTree(t, before, snapshot(t, out))

	if !res.Stale() || !res.ManifestChanged {
		t.Errorf("Stale() = %v, ManifestChanged = %v; want both true", res.Stale(), res.ManifestChanged)
	}
	type summary struct {
		path     string
		kind     ChangeKind
		old, new bool
	}
	var got []summary
	for _, c := range res.Changes {
		got = append(got, summary{c.Path, c.Kind, c.Old != nil, c.New != nil})
	}
	want := []summary{
		{"istio/prod/orders.yaml", ChangeUpdate, true, true},
		{"istio/prod/payments.yaml", ChangePrune, true, false},
		{"istio/prod/users.yaml", ChangeCreate, false, true},
		{"kratos/prod/new/users.yaml", ChangeCreate, false, true},
		{"kratos/prod/orders.yaml", ChangeUpdate, true, true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n got %+v\nwant %+v", got, want)
	}
	for _, c := range res.Changes {
		if c.Path == "kratos/prod/orders.yaml" {
			if string(c.Old) != "edited by hand\n" || !strings.Contains(string(c.New), "addr: :9000") {
				t.Errorf("old/new bytes: %q / %q", c.Old, c.New)
			}
		}
	}
	if got := res.Paths(ChangeCreate); !slices.Equal(got, []string{"istio/prod/users.yaml", "kratos/prod/new/users.yaml"}) {
		t.Errorf("Paths(create) = %v", got)
	}

	// What Check predicted is what Write does, and afterwards nothing is stale.
	wres := mustWrite(t, out, next, WriteOptions{})
	if !slices.Equal(wres.Created, res.Paths(ChangeCreate)) || !slices.Equal(wres.Updated, res.Paths(ChangeUpdate)) || !slices.Equal(wres.Pruned, res.Paths(ChangePrune)) {
		t.Errorf("Write %+v does not match Check %+v", wres, res)
	}
	after, err := Check(t.Context(), out, next, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Stale() || len(after.Unchanged) != 4 {
		t.Errorf("after Write: %+v", after)
	}
}

func TestCheckOfMissingDirectoryCreatesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	res, err := Check(t.Context(), out, []Object{yamlObj(TargetIstio, "", "a.yaml", map[string]any{"a": 1})}, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stale() || !slices.Equal(res.Paths(ChangeCreate), []string{"a.yaml"}) {
		t.Errorf("got %+v", res)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Check created the output directory")
	}
}

func TestCheckWithMissingManifestIsStale(t *testing.T) {
	out := t.TempDir()
	objs := []Object{yamlObj(TargetIstio, "", "a.yaml", map[string]any{"a": 1})}
	mustWrite(t, out, objs, WriteOptions{})
	if err := os.Remove(filepath.Join(out, ManifestName)); err != nil {
		t.Fatal(err)
	}
	res, err := Check(t.Context(), out, objs, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 0 || !res.ManifestChanged || !res.Stale() {
		t.Errorf("got %+v", res)
	}
}
