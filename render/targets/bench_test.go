package targets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/govctl/govctl/internal/testutil"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/github"
)

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
			m := testutil.LoadGenerated(b, n)
			envs := m.EnvironmentNames()
			for _, t := range append([]render.Target{""}, render.AllTargets()...) {
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
