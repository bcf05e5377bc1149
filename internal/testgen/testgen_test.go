package testgen

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/govctl/govctl/render/targets"
	"github.com/govctl/govctl/schema"
)

func TestSameSeedGivesSameBytes(t *testing.T) {
	for _, layout := range []Layout{LayoutFilePerService, LayoutFilePerGroup, LayoutSingleFile} {
		opts := Options{Services: 300, Seed: 42, Layout: layout}
		a, err := Generate(opts)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Generate(opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffFiles(a, b); diff != "" {
			t.Errorf("layout %d: two runs with seed 42 differ: %s", layout, diff)
		}
	}
}

func TestDifferentSeedGivesDifferentPlatform(t *testing.T) {
	a, err := Generate(Options{Services: 100, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(Options{Services: 100, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if diffFiles(a, b) == "" {
		t.Fatal("seeds 1 and 2 generated the same platform")
	}
}

func TestLayoutsHoldTheSameServices(t *testing.T) {
	perService, err := Generate(Options{Services: 120, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	single, err := Generate(Options{Services: 120, Seed: 3, Layout: LayoutSingleFile})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(perService); got != 120+2 {
		t.Errorf("file per service: %d files, want 122 (120 services, platform, environments)", got)
	}
	if got := len(single); got != 3 {
		t.Errorf("single file: %d files, want 3", got)
	}
	var all []byte
	for _, name := range sortedNames(perService) {
		if filepath.Dir(name) != "." && filepath.Base(filepath.Dir(name)) != "environments" {
			all = append(all, perService[name]...)
		}
	}
	if a, b := bytes.Count(all, []byte("\nservices: ")), bytes.Count(single["services.cue"], []byte("\nservices: ")); a != 120 || b != 120 {
		t.Errorf("service blocks: %d in per-service files, %d in services.cue; want 120 each", a, b)
	}
}

func TestOptionsAreChecked(t *testing.T) {
	for _, opts := range []Options{
		{Services: 0},
		{Services: -1},
		{Services: MaxServices + 1},
		{Services: 10, Name: "Shop"},
		{Services: 10, Name: "a-very-long-platform-name-that-makes-its-namespaces-too-long"},
		{Services: 10, Layout: Layout(7)},
	} {
		if _, err := Generate(opts); err == nil {
			t.Errorf("Generate(%+v) succeeded, want an error", opts)
		}
	}
}

// TestCallGraphIsADAGWithinGovernanceLimits checks the planned services of
// large platforms against the rules the generator promises to respect.
func TestCallGraphIsADAGWithinGovernanceLimits(t *testing.T) {
	for _, tc := range []struct {
		services int
		seed     int64
	}{{1, 1}, {2, 1}, {7, 5}, {100, 1}, {2000, 1}, {2000, 2}, {5000, 3}} {
		t.Run(fmt.Sprintf("%d-seed%d", tc.services, tc.seed), func(t *testing.T) {
			opts, err := Options{Services: tc.services, Seed: tc.seed}.normalize()
			if err != nil {
				t.Fatal(err)
			}
			services := newPlanner(opts).plan()
			if len(services) != tc.services {
				t.Fatalf("planned %d services, want %d", len(services), tc.services)
			}
			names := map[string]bool{}
			amp := make([]int, len(services))
			edges, canaries := 0, 0
			for i, s := range services {
				if s.index != i {
					t.Fatalf("service %s has index %d at position %d", s.name, s.index, i)
				}
				if names[s.name] {
					t.Errorf("duplicate service name %s", s.name)
				}
				names[s.name] = true
				if !dnsLabel.MatchString(s.name) {
					t.Errorf("%s is not a DNS label", s.name)
				}
				if s.edge {
					edges++
				}
				amp[i] = 1
				for _, d := range s.deps {
					// A lower index is what makes the graph acyclic.
					if d.target >= i {
						t.Fatalf("%s (index %d) depends on index %d", s.name, i, d.target)
					}
					callee := services[d.target]
					if callee.edge {
						t.Errorf("%s calls the public service %s", s.name, callee.name)
					}
					if d.timeout >= s.timeout {
						t.Errorf("%s → %s: call timeout %dms not below own timeout %dms", s.name, callee.name, d.timeout, s.timeout)
					}
					if d.attempts*d.perTry > d.timeout {
						t.Errorf("%s → %s: %d × %dms retries exceed the call timeout %dms", s.name, callee.name, d.attempts, d.perTry, d.timeout)
					}
					if s.critical() && !callee.critical() && !d.optional {
						t.Errorf("critical %s hard-depends on non-critical %s", s.name, callee.name)
					}
					amp[i] = max(amp[i], (d.attempts+1)*amp[d.target])
				}
				if amp[i] > 10 {
					t.Errorf("retry amplification from %s is %d, above 10", s.name, amp[i])
				}
				if s.critical() && (s.slo.p99 == 0 || s.slo.p99 >= s.timeout) {
					t.Errorf("critical %s: p99 %dms not below timeout %dms", s.name, s.slo.p99, s.timeout)
				}
				if s.edge && (s.rateLimit == nil || len(s.hosts) == 0 || !contains(s.middleware, "auth")) {
					t.Errorf("public %s lacks a rate limit, hosts or auth", s.name)
				}
				if rl := s.rateLimit; rl != nil && rl.burst != 0 && rl.burst*20 < rl.rps {
					t.Errorf("%s: burst %d below rps/20 (rps %d)", s.name, rl.burst, rl.rps)
				}
				if d := s.degradation; d != nil {
					if !(d.warnAt < d.degradeAt && d.degradeAt < d.fatalAt) {
						t.Errorf("%s: degradation levels %v < %v < %v out of order", s.name, d.warnAt, d.degradeAt, d.fatalAt)
					}
					if d.fallbackTo >= i || d.fallbackTo >= 0 && d.fallbackTimeout >= s.timeout {
						t.Errorf("%s: fallback %d (%dms) not below index %d and timeout %dms", s.name, d.fallbackTo, d.fallbackTimeout, i, s.timeout)
					}
				}
				for _, o := range s.overlays {
					if o.stableVersion != "" {
						canaries++
						if o.stableVersion == s.version {
							t.Errorf("%s: stableVersion equals version %s", s.name, s.version)
						}
					}
				}
			}
			if edges == 0 {
				t.Error("no public services")
			}
			if tc.services >= 100 && canaries == 0 {
				t.Error("no canary in progress")
			}
		})
	}
}

// generated is a 100-service platform written and loaded once for the
// tests that need a model (a load takes about a second).
var generated struct {
	once   sync.Once
	parent string // the working directory the tests load it from
	model  *schema.Model
	err    error
}

const generatedDir = "platform"

func TestMain(m *testing.M) {
	code := m.Run()
	if generated.parent != "" {
		os.RemoveAll(generated.parent)
	}
	os.Exit(code)
}

// loadGenerated returns the model of the 100-service platform, with the
// working directory set to the directory containing it: the GitHub
// renderer names the spec directory in workflows, so it must be relative,
// as when govctl runs at the root of a repository.
func loadGenerated(t *testing.T) *schema.Model {
	t.Helper()
	generated.once.Do(func() {
		generated.parent, generated.err = os.MkdirTemp("", "testgen-")
		if generated.err != nil {
			return
		}
		dir := filepath.Join(generated.parent, generatedDir)
		if generated.err = Write(dir, Options{Services: 100, Seed: 1}); generated.err != nil {
			return
		}
		wd, err := os.Getwd()
		if err != nil {
			generated.err = err
			return
		}
		if generated.err = os.Chdir(generated.parent); generated.err != nil {
			return
		}
		defer os.Chdir(wd)
		start := time.Now()
		generated.model, generated.err = schema.Load(context.Background(), generatedDir)
		t.Logf("loaded 100 services in %v", time.Since(start).Round(time.Millisecond))
	})
	if generated.err != nil {
		t.Fatal(generated.err)
	}
	t.Chdir(generated.parent)
	return generated.model
}

func TestGeneratedPlatformLoadsAndResolves(t *testing.T) {
	m := loadGenerated(t)
	if got := len(m.Services); got != 100 {
		t.Errorf("model has %d services, want 100", got)
	}
	envs := m.EnvironmentNames()
	if fmt.Sprint(envs) != "[dev staging prod]" {
		t.Errorf("environments %v, want [dev staging prod]", envs)
	}
	for _, env := range envs {
		r, err := m.Resolve(env)
		if err != nil {
			t.Fatalf("resolve %s: %v", env, err)
		}
		checkCallGraph(t, env, r)
	}
	prod, _ := m.Resolve("prod")
	var canaries, public int
	for _, svc := range prod.Services {
		if svc.CanaryInProgress() {
			canaries++
		}
		if svc.Exposure.Public {
			public++
		}
	}
	if canaries == 0 || public == 0 {
		t.Errorf("prod has %d canaries in progress and %d public services; want some of each", canaries, public)
	}
}

// checkCallGraph checks that every dependency names a service and that the
// dependencies form no cycle (a depth-first search finds no back edge).
func checkCallGraph(t *testing.T, env string, r *schema.Resolved) {
	t.Helper()
	const (
		unvisited = iota
		onPath
		done
	)
	state := map[string]int{}
	var visit func(name string, path []string)
	visit = func(name string, path []string) {
		switch state[name] {
		case onPath:
			t.Fatalf("%s: dependency cycle %v → %s", env, path, name)
		case done:
			return
		}
		state[name] = onPath
		svc := r.Services[name]
		deps := make([]string, 0, len(svc.Dependencies))
		for dep := range svc.Dependencies {
			deps = append(deps, dep)
		}
		sort.Strings(deps)
		for _, dep := range deps {
			if _, ok := r.Services[dep]; !ok {
				t.Fatalf("%s: %s depends on %s, which does not exist", env, name, dep)
			}
			if svc.Dependencies[dep].Timeout.D() >= svc.Timeout.D() {
				t.Errorf("%s: %s → %s: timeout %s not below %s", env, name, dep, svc.Dependencies[dep].Timeout, svc.Timeout)
			}
			visit(dep, append(path, name))
		}
		state[name] = done
	}
	for _, name := range r.ServiceNames() {
		visit(name, nil)
	}
}

func TestGeneratedPlatformRenders(t *testing.T) {
	m := loadGenerated(t)
	start := time.Now()
	objs, err := targets.Render(context.Background(), m, m.EnvironmentNames(), targets.Options{})
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	t.Logf("rendered %d objects in %v", len(objs), time.Since(start).Round(time.Millisecond))
	if len(objs) < 100*3 {
		t.Errorf("rendered %d objects, want at least one per service and environment", len(objs))
	}
}

func diffFiles(a, b map[string][]byte) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d files against %d", len(a), len(b))
	}
	for _, name := range sortedNames(a) {
		if !bytes.Equal(a[name], b[name]) {
			return name + " differs"
		}
	}
	return ""
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
