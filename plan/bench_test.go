package plan_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/govctl/govctl/internal/testgen"
	"github.com/govctl/govctl/plan"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/targets"
	"github.com/govctl/govctl/schema"
)

var versionField = regexp.MustCompile(`(?m)^(\tversion:\s*)"[^"]*"`)

// BenchmarkCompute measures `govctl plan --against DIR` after loading: a
// generated platform rendered with the real renderers and compared with
// a directory holding an earlier render, in which one service file
// changed (its version bumped in every environment). 1000 services are
// skipped under -short.
func BenchmarkCompute(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			if n > 100 && testing.Short() {
				b.Skipf("%d services: skipped under -short", n)
			}
			dir := b.TempDir()
			if err := testgen.Write(dir, testgen.Options{Services: n, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			b.Chdir(dir)
			renderAll := func(ctx context.Context, m *schema.Model) ([]render.Object, error) {
				return targets.Render(ctx, m, m.EnvironmentNames(), targets.Options{})
			}
			base, err := schema.Load(ctx, ".")
			if err != nil {
				b.Fatal(err)
			}
			objs, err := renderAll(ctx, base)
			if err != nil {
				b.Fatal(err)
			}
			out := filepath.Join(b.TempDir(), "deploy")
			if _, err := render.Write(ctx, out, objs, render.WriteOptions{}); err != nil {
				b.Fatal(err)
			}
			// Bump one service's version: a typical one-service change.
			file := filepath.Join(dir, filepath.FromSlash(base.Services[base.ServiceNames()[0]].Pos.File))
			src, err := os.ReadFile(file)
			if err != nil {
				b.Fatal(err)
			}
			bumped := versionField.ReplaceAll(src, []byte(`${1}"v99.0.0"`))
			if bytes.Equal(bumped, src) {
				b.Fatalf("%s: no version field to bump", file)
			}
			if err := os.WriteFile(file, bumped, 0o644); err != nil {
				b.Fatal(err)
			}
			m, err := schema.Load(ctx, ".")
			if err != nil {
				b.Fatal(err)
			}
			var changes int
			for b.Loop() {
				p, err := plan.Compute(ctx, plan.Options{Model: m, Render: renderAll, Baseline: plan.NewDirBaseline(out)})
				if err != nil {
					b.Fatal(err)
				}
				changes = len(p.Objects)
			}
			b.ReportMetric(float64(changes), "changes")
		})
	}
}
