package lint

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/govctl/govctl/render/github"
	"github.com/govctl/govctl/render/targets"
)

// lintWithCatalog lints a spec directory with the built-in catalog, as
// `govctl lint` does. When renderAs (the spec directory as the repository
// root names it, for the workflows) is set, rules also see the rendered
// objects.
func lintWithCatalog(t *testing.T, dir, renderAs string) *Result {
	t.Helper()
	ctx := context.Background()
	m := load(t, dir)
	opts := Options{Now: fixedNow}
	if renderAs != "" {
		objects, err := targets.Render(ctx, m, m.EnvironmentNames(), targets.Options{GitHub: github.Renderer{SpecDir: renderAs}})
		if err != nil {
			t.Fatalf("render %s: %v", dir, err)
		}
		opts.Objects = objects
	}
	res, err := Lint(ctx, m, opts)
	if err != nil {
		t.Fatalf("lint %s: %v", dir, err)
	}
	return res
}

// TestBadPlatformTriggersEveryRule lints testdata/bad-platform, a spec
// that breaks every built-in rule, and compares the findings with its
// expected.txt: one "<rule> <environment> <file>:<line>" a line, a finding
// per line (two problems at one place are two lines). Rules on rendered
// objects cannot be triggered from a spec: their Rego tests cover them.
func TestBadPlatformTriggersEveryRule(t *testing.T) {
	const dir = "testdata/bad-platform"
	f, err := os.Open(dir + "/expected.txt")
	if os.IsNotExist(err) {
		t.Skip("testdata/bad-platform/expected.txt is not written yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]int{}
	wantIDs := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Fatalf("expected.txt: %q is not \"<rule> <environment> <file>:<line>\"", line)
		}
		want[strings.Join(fields, " ")]++
		wantIDs[fields[0]] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	catalog, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range catalog {
		if r.Package != "" && r.Scope != ScopeObjects && !wantIDs[r.ID] {
			t.Errorf("%s (%s) has no expected finding in expected.txt", r.ID, r.File)
		}
	}
	res := lintWithCatalog(t, dir, "")
	got := map[string]int{}
	for _, f := range res.Findings {
		for _, env := range f.Environments {
			got[fmt.Sprintf("%s %s %s:%d", f.RuleID, env, f.Pos.File, f.Pos.Line)]++
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] < want[k] {
			t.Errorf("missing finding %s (want %d, got %d)", k, want[k], got[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if got[k] > want[k] {
			t.Errorf("unexpected finding %s (want %d, got %d)", k, want[k], got[k])
		}
	}
	if t.Failed() {
		t.Logf("findings:\n%s", summary(res.Findings))
	}
}

// TestShopLintsCleanExceptItsException lints examples/shop: nothing fails
// at its failOn (error), and the one finding its exception covers is
// reported suppressed.
func TestShopLintsCleanExceptItsException(t *testing.T) {
	res := lintWithCatalog(t, "../examples/shop", "examples/shop")
	if res.Failed() {
		t.Errorf("examples/shop fails lint at %s:\n%s", res.FailOn, summary(res.Findings))
	}
	var suppressed []Finding
	for _, f := range res.Findings {
		if f.Suppressed {
			suppressed = append(suppressed, f)
		}
	}
	if len(suppressed) != 1 {
		t.Fatalf("%d suppressed findings, want the one notifications' exception covers:\n%s", len(suppressed), summary(suppressed))
	}
	f := suppressed[0]
	if f.RuleID != "GOV-RES-003" || f.Service != "notifications" || f.Exception == nil || !strings.Contains(f.Exception.Reason, "SRE-1432") {
		t.Errorf("suppressed finding: %s", summary(suppressed))
	}
	envs := append([]string(nil), f.Environments...)
	sort.Strings(envs)
	if strings.Join(envs, ",") != "dev,prod,staging" {
		t.Errorf("suppressed in %v, want every environment, reported once", f.Environments)
	}
	if len(res.Skipped) != 0 {
		t.Errorf("rules skipped with objects given: %v", res.Skipped)
	}
}
