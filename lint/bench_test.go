package lint

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/govctl/govctl/internal/testgen"
	"github.com/govctl/govctl/render/targets"
	"github.com/govctl/govctl/schema"
)

// syntheticPlatform returns the shop's prod environment resolved, grown to
// n services: copies of the shop's services under new names, in five
// layers, each service calling two of the next layer, so that
// cross-service rules (cycles, retry amplification) have a call graph of
// realistic depth to walk.
func syntheticPlatform(b *testing.B, n int) (*schema.Model, *schema.Resolved) {
	b.Helper()
	m := load(b, "../examples/shop")
	r, err := m.Resolve("prod")
	if err != nil {
		b.Fatal(err)
	}
	templates := r.ServiceNames()
	big := &schema.Resolved{Platform: r.Platform, Environment: r.Environment, Services: map[string]*schema.Service{}}
	const layers = 5
	size := max(n/layers, 1)
	name := func(i int) string { return fmt.Sprintf("svc-%04d", i) }
	for i := range n {
		svc := *r.Services[templates[i%len(templates)]]
		svc.Name = name(i)
		svc.Dependencies = map[string]schema.Dependency{}
		if next := (i/size + 1) * size; next < n {
			for d := range 2 {
				callee := next + (i*7+d*3)%size
				if callee < n {
					svc.Dependencies[name(callee)] = schema.Dependency{
						Timeout: "200ms", Retries: &schema.Retries{Attempts: 2, PerTryTimeout: "80ms"},
					}
				}
			}
		}
		big.Services[svc.Name] = &svc
	}
	return m, big
}

// BenchmarkLint measures the built-in catalog: preparing the engine once
// (load, check, compile, prepare), evaluating one environment of a large
// synthetic platform, and a whole `govctl lint` of examples/shop.
func BenchmarkLint(b *testing.B) {
	ctx := context.Background()
	b.Run("prepare", func(b *testing.B) {
		m := load(b, "../examples/shop")
		for b.Loop() {
			if _, err := prepare(ctx, m, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, n := range []int{50, 250} {
		b.Run(fmt.Sprintf("eval-%d-services", n), func(b *testing.B) {
			m, r := syntheticPlatform(b, n)
			e, err := prepare(ctx, m, Options{})
			if err != nil {
				b.Fatal(err)
			}
			now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
			var findings int
			for b.Loop() {
				fs, err := e.eval(ctx, r, nil, now)
				if err != nil {
					b.Fatal(err)
				}
				findings = len(fs)
			}
			b.ReportMetric(float64(findings), "findings")
		})
	}
	b.Run("shop", func(b *testing.B) {
		m := load(b, "../examples/shop")
		for b.Loop() {
			if _, err := Lint(ctx, m, Options{Now: fixedNow}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLintGenerated measures a whole `govctl lint` of a generated
// platform after loading: every environment, with the rendered objects
// (rendering included, as the CLI does), and a pre-commit run reporting
// on one service file. 1000 services are skipped under -short.
func BenchmarkLintGenerated(b *testing.B) {
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
			m := load(b, ".")
			envs := m.EnvironmentNames()
			file := m.Services[m.ServiceNames()[0]].Pos.File
			for _, tc := range []struct {
				name    string
				objects bool
				files   []string
			}{
				{"model", false, nil},
				{"objects", true, nil},
				{"one-file", true, []string{file}},
			} {
				b.Run(tc.name, func(b *testing.B) {
					var findings int
					for b.Loop() {
						opts := Options{Now: fixedNow, Files: tc.files}
						if tc.objects {
							objs, err := targets.Render(ctx, m, envs, targets.Options{})
							if err != nil {
								b.Fatal(err)
							}
							opts.Objects = objs
						}
						res, err := Lint(ctx, m, opts)
						if err != nil {
							b.Fatal(err)
						}
						findings = len(res.Findings)
					}
					b.ReportMetric(float64(findings), "findings")
				})
			}
		})
	}
}
