package targets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/govctl/govctl/internal/testgen"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/github"
	"github.com/govctl/govctl/schema"
)

// generatedModel writes a generated platform of n services into a temp
// dir and loads it.
func generatedModel(tb testing.TB, n int) *schema.Model {
	tb.Helper()
	dir := tb.TempDir()
	if err := testgen.Write(dir, testgen.Options{Services: n, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	m, err := schema.Load(context.Background(), dir)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// generatedOptions renders every target, naming the spec dir in
// workflows as a repository would (the temp dir is absolute).
func generatedOptions() Options {
	return Options{GitHub: github.Renderer{SpecDir: "platform"}}
}

// BenchmarkRender measures each renderer alone, every environment, and
// all of them together as `govctl render` runs them, on generated
// platforms of 100 and 1000 services (the latter skipped under -short).
func BenchmarkRender(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			if n > 100 && testing.Short() {
				b.Skipf("%d services: skipped under -short", n)
			}
			m := generatedModel(b, n)
			envs := m.EnvironmentNames()
			for _, t := range append([]render.Target{""}, render.Targets...) {
				name := string(t)
				opts := generatedOptions()
				if t == "" {
					name = "all"
				} else {
					opts.Targets = []render.Target{t}
				}
				b.Run(name, func(b *testing.B) {
					var objs int
					for b.Loop() {
						out, err := Render(ctx, m, envs, opts)
						if err != nil {
							b.Fatal(err)
						}
						objs = len(out)
					}
					b.ReportMetric(float64(objs), "objects")
				})
			}
			b.Run("all+write", func(b *testing.B) {
				out := filepath.Join(b.TempDir(), "out")
				for b.Loop() {
					objs, err := Render(ctx, m, envs, generatedOptions())
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					os.RemoveAll(out)
					b.StartTimer()
					if _, err := render.Write(ctx, out, objs, render.WriteOptions{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
