package targets

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/github"
	"github.com/govctl/govctl/schema"
)

func TestParseKeepsCanonicalOrderAndRejectsUnknownTargets(t *testing.T) {
	got, err := Parse([]string{"github,istio", "istio"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != render.TargetIstio || got[1] != render.TargetGitHub {
		t.Errorf("Parse = %v, want [istio github]", got)
	}
	if _, err := Parse([]string{"isito"}); err == nil || !strings.Contains(err.Error(), `unknown target "isito"`) {
		t.Errorf("Parse(isito) err = %v", err)
	}
}

func TestEveryTargetRendersTheShopByteIdenticallyTwice(t *testing.T) {
	ctx := context.Background()
	encode := func() []render.File {
		m, err := schema.Load(ctx, "../../examples/shop")
		if err != nil {
			t.Fatal(err)
		}
		// Workflows name the spec dir as the repository sees it.
		objs, err := Render(ctx, m, m.EnvironmentNames(), Options{GitHub: github.Renderer{SpecDir: "examples/shop"}})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[render.Target]bool{}
		for _, o := range objs {
			seen[o.Target] = true
		}
		for _, tgt := range render.AllTargets() {
			if !seen[tgt] {
				t.Errorf("no objects for target %s", tgt)
			}
		}
		files, err := render.EncodeObjects(objs)
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	a, b := encode(), encode()
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two renders", a[i].Path)
		}
	}
}

func TestRenderersSelectsTargets(t *testing.T) {
	rs := Renderers(Options{Targets: []render.Target{render.TargetKratos}})
	if len(rs) != 1 || rs[0].Target() != render.TargetKratos {
		t.Errorf("Renderers(kratos) = %v", rs)
	}
	if got := len(Renderers(Options{})); got != len(render.AllTargets()) {
		t.Errorf("Renderers() = %d renderers, want %d", got, len(render.AllTargets()))
	}
}
