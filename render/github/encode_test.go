package github

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
	"gopkg.in/yaml.v3"

	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/internal/testutil"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// workflow is one workflow's path and node tree, header included, as
// Render encodes it.
type workflow struct {
	path string
	node *yaml.Node
}

// workflowTrees builds the tree of every workflow r renders for m.
func workflowTrees(tb testing.TB, r Renderer, m *schema.Model) []workflow {
	tb.Helper()
	w, err := r.newWorkflows(m)
	if err != nil {
		tb.Fatal(err)
	}
	var out []workflow
	for _, name := range m.ServiceNames() {
		doc, err := w.deployWorkflow(name)
		if err != nil {
			tb.Fatal(err)
		}
		if err := addHeader(doc, m.Services[name].Pos.File); err != nil {
			tb.Fatal(err)
		}
		out = append(out, workflow{DeployWorkflowPath(name), doc.node})
	}
	doc, err := w.planWorkflow()
	if err != nil {
		tb.Fatal(err)
	}
	platformPos, _ := m.PosOf(fieldpath.New("platform"))
	if err := addHeader(doc, platformPos.File); err != nil {
		tb.Fatal(err)
	}
	return append(out, workflow{PlanWorkflowPath, doc.node})
}

// encodeYAMLv3 is how workflowObject encoded workflows before
// render.EncodeYAMLNode: the oracle.
func encodeYAMLv3(n *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TestWorkflowsEncodeAsYAMLv3Does encodes the node tree of every workflow
// of examples/shop and of a generated platform with render.EncodeYAMLNode
// and with yaml.v3's Encoder: the bytes must be the same, and be what
// Render returns. (That no workflow needs the emitter's yaml.v3 fallback
// is checked in package render, which can count fallbacks.)
func TestWorkflowsEncodeAsYAMLv3Does(t *testing.T) {
	platforms := []struct {
		name     string
		renderer Renderer
		model    func(t *testing.T) *schema.Model
	}{
		{"shop", shopRenderer, shopModel},
		{"generated-200", Renderer{SpecDir: "platform"}, func(t *testing.T) *schema.Model { return testutil.LoadGenerated(t, 200) }},
	}
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			m := p.model(t)
			objs, err := p.renderer.Render(context.Background(), m, m.EnvironmentNames())
			if err != nil {
				t.Fatal(err)
			}
			rendered := map[string][]byte{}
			for _, o := range objs {
				rendered[o.Path] = o.Raw
			}
			trees := workflowTrees(t, p.renderer, m)
			if len(trees) != len(objs) {
				t.Fatalf("%d trees, %d rendered workflows", len(trees), len(objs))
			}
			for _, wf := range trees {
				want, err := encodeYAMLv3(wf.node)
				if err != nil {
					t.Fatal(err)
				}
				got, err := render.EncodeYAMLNode(wf.node)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: EncodeYAMLNode differs from yaml.v3:\n%s", wf.path, diff.Diff("yaml.v3", want, "EncodeYAMLNode", got))
				}
				if !bytes.Equal(rendered[wf.path], want) {
					t.Errorf("%s: Render's bytes differ from yaml.v3's:\n%s", wf.path, diff.Diff("yaml.v3", want, "Render", rendered[wf.path]))
				}
			}
		})
	}
}

// BenchmarkEncodeWorkflows measures encoding alone, with EncodeYAMLNode
// and with the yaml.v3 Encoder it replaced, of every workflow of a
// generated 1000-service platform; the trees are built outside the timed
// loop (encoding does not change them).
func BenchmarkEncodeWorkflows(b *testing.B) {
	trees := workflowTrees(b, Renderer{SpecDir: "platform"}, testutil.LoadGenerated(b, 1000))
	encoders := []struct {
		name   string
		encode func(*yaml.Node) ([]byte, error)
	}{
		{"emit", render.EncodeYAMLNode},
		{"yaml.v3", encodeYAMLv3},
	}
	for _, enc := range encoders {
		b.Run(fmt.Sprintf("encoder=%s", enc.name), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				size = 0
				for _, wf := range trees {
					data, err := enc.encode(wf.node)
					if err != nil {
						b.Fatal(err)
					}
					size += len(data)
				}
			}
			b.ReportMetric(float64(len(trees)), "files")
			b.SetBytes(int64(size))
		})
	}
}
