package render_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/govctl/govctl/internal/testutil"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/github"
	"github.com/govctl/govctl/render/targets"
	"github.com/govctl/govctl/schema"
)

// platformObjects renders every target of a generated platform of n
// services, as `govctl render` does.
func platformObjects(tb testing.TB, n int) []render.Object {
	tb.Helper()
	m := testutil.LoadGenerated(tb, n)
	return renderAll(tb, m, "platform")
}

// renderAll renders every target and environment of m.
func renderAll(tb testing.TB, m *schema.Model, specDir string) []render.Object {
	tb.Helper()
	objs, err := targets.Render(context.Background(), m, m.EnvironmentNames(), targets.Options{GitHub: github.Renderer{SpecDir: specDir}})
	if err != nil {
		tb.Fatal(err)
	}
	return objs
}

// TestEmitterWritesRenderedFilesAsYAMLv3Does encodes everything the
// renderers produce for examples/shop and a generated platform with the
// emitter and with yaml.v3 alone: every file must have the same bytes, and
// no document, the workflows render/github encodes included, may have
// needed the yaml.v3 fallback (else the fast path silently stopped
// applying to real output).
func TestEmitterWritesRenderedFilesAsYAMLv3Does(t *testing.T) {
	platforms := []struct {
		name string
		objs func(t *testing.T) []render.Object
	}{
		{"shop", func(t *testing.T) []render.Object { return renderAll(t, testutil.LoadShop(t), "examples/shop") }},
		{"generated-200", func(t *testing.T) []render.Object { return platformObjects(t, 200) }},
	}
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			// Rendering encodes the workflows (render/github writes them
			// with EncodeYAMLNode, comments and all); EncodeObjects the
			// rest.
			before := render.DocumentFallbacks()
			objs := p.objs(t)
			if n := render.DocumentFallbacks() - before; n != 0 {
				t.Errorf("%d rendered workflows fell back to yaml.v3", n)
			}
			before = render.DocumentFallbacks()
			got, err := render.EncodeObjects(objs)
			if err != nil {
				t.Fatal(err)
			}
			if n := render.DocumentFallbacks() - before; n != 0 {
				t.Errorf("%d documents fell back to yaml.v3", n)
			}
			want, err := render.EncodeObjectsYAMLv3(objs)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("emitter wrote %d files, yaml.v3 %d", len(got), len(want))
			}
			yamlFiles := 0
			for i := range got {
				if !got[i].Raw {
					yamlFiles++
				}
				if got[i].Path != want[i].Path || !bytes.Equal(got[i].Data, want[i].Data) {
					t.Errorf("%s differs from yaml.v3's %s:\n%s", got[i].Path, want[i].Path,
						diff.Diff("yaml.v3", want[i].Data, "emitter", got[i].Data))
				}
			}
			if yamlFiles == 0 {
				t.Fatal("no YAML files compared")
			}
			for _, o := range objs {
				if o.Raw != nil {
					continue
				}
				got, gotErr := render.MarshalYAML(o.Value)
				want, wantErr := render.MarshalYAMLv3(o.Value)
				if !bytes.Equal(got, want) || (gotErr == nil) != (wantErr == nil) {
					t.Errorf("MarshalYAML of %s %s differs from yaml.v3's (%v, %v):\n%s", o.ID.Kind, o.ID.Name, gotErr, wantErr,
						diff.Diff("yaml.v3", want, "emitter", got))
				}
			}
			t.Logf("%d files (%d YAML) identical", len(got), yamlFiles)
		})
	}
}

// BenchmarkEncodeObjects measures EncodeObjects alone on everything a
// generated 1000-service platform renders to, with the emitter and with
// the yaml.v3 Encoder it replaced; rendering is outside the timed loop.
func BenchmarkEncodeObjects(b *testing.B) {
	objs := platformObjects(b, 1000)
	encoders := []struct {
		name   string
		encode func([]render.Object) ([]render.File, error)
	}{
		{"emit", render.EncodeObjects},
		{"yaml.v3", render.EncodeObjectsYAMLv3},
	}
	for _, enc := range encoders {
		b.Run(fmt.Sprintf("encoder=%s", enc.name), func(b *testing.B) {
			b.ReportAllocs()
			var files int
			for b.Loop() {
				out, err := enc.encode(objs)
				if err != nil {
					b.Fatal(err)
				}
				files = len(out)
			}
			b.ReportMetric(float64(files), "files")
		})
	}
}
