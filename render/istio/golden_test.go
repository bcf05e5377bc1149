package istio

import (
	"bytes"
	"flag"
	"testing"

	"github.com/govctl/govctl/internal/testutil"

	"github.com/govctl/govctl/render"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/shop")

// goldenDir holds the files rendered for examples/shop, as govctl writes
// them.
const goldenDir = "testdata/shop"

// TestGoldenFiles compares the files rendered for every environment of
// examples/shop with testdata/shop; -update rewrites them.
func TestGoldenFiles(t *testing.T) {
	_, objs := renderShop(t, Options{})
	files, err := render.EncodeObjects(objs)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	testutil.GoldenFiles(t, goldenDir, files, *update)
}

// TestRenderIsDeterministic renders twice, from two loads of the spec, and
// compares the objects' order and the encoded bytes.
func TestRenderIsDeterministic(t *testing.T) {
	_, first := renderShop(t, Options{})
	_, second := renderShop(t, Options{})
	if len(first) != len(second) {
		t.Fatalf("%d objects, then %d", len(first), len(second))
	}
	for i := range first {
		if first[i].ID != second[i].ID || first[i].Path != second[i].Path {
			t.Errorf("object %d: %v in %s, then %v in %s", i, first[i].ID, first[i].Path, second[i].ID, second[i].Path)
		}
	}
	a, err := render.EncodeObjects(first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := render.EncodeObjects(second)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s: bytes differ between two renders", a[i].Path)
		}
	}
}
