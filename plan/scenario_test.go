package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// searchService is a service no other service depends on, so that it can
// be added and removed on its own.
const searchService = `package platform

services: search: {
	owner:   "team-catalog"
	image:   "ghcr.io/acme/search"
	version: "v0.3.0"
	timeout: "500ms"
	dependencies: inventory: {timeout: "200ms"}
	config: data: index: shards: 3
}
`

// TestPlanScenarios are the end-to-end plan fixtures: a git repository
// holding a copy of examples/shop on main, a change on a branch, and the
// exact text, Markdown and JSON plan against main (golden files in
// testdata/scenarios).
func TestPlanScenarios(t *testing.T) {
	tests := []struct {
		name string
		// base edits the specs before they are committed on main.
		base func(r *gitRepo)
		// change edits them on the branch.
		change      func(r *gitRepo)
		wantChanges bool
		wantRisk    Risk
	}{
		{
			name:   "no_change",
			change: func(r *gitRepo) {},
		},
		{
			name: "prod_canary_threshold_raised",
			change: func(r *gitRepo) {
				r.replace("specs/environments/environments.cue", "maxErrorRate: 0.005", "maxErrorRate: 0.02")
			},
			wantChanges: true,
			wantRisk:    RiskHigh,
		},
		{
			name: "service_added",
			change: func(r *gitRepo) {
				r.write("specs/services/search.cue", searchService)
			},
			wantChanges: true,
			wantRisk:    RiskLow,
		},
		{
			name: "service_removed",
			base: func(r *gitRepo) {
				r.write("specs/services/search.cue", searchService)
			},
			change: func(r *gitRepo) {
				r.remove("specs/services/search.cue")
			},
			wantChanges: true,
			wantRisk:    RiskHigh,
		},
		{
			name: "dev_timeout_changed",
			change: func(r *gitRepo) {
				r.replace("specs/services/orders.cue", "dev: {config: data: db: maxOpen: 5}", `dev: {timeout: "3s", config: data: db: maxOpen: 5}`)
			},
			wantChanges: true,
			wantRisk:    RiskLow,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, m := shopPullRequest(t, tt.base, tt.change)
			p, err := Compute(context.Background(), Options{
				Model:    m,
				Render:   testRender,
				Baseline: NewGitBaseline(r.path("specs"), "main", testRender),
			})
			if err != nil {
				t.Fatal(err)
			}
			if p.HasChanges() != tt.wantChanges {
				t.Errorf("HasChanges() = %v, want %v", p.HasChanges(), tt.wantChanges)
			}
			if got := p.HighestRisk(); got != tt.wantRisk {
				t.Errorf("HighestRisk() = %q, want %q", got, tt.wantRisk)
			}
			golden(t, "scenarios/"+tt.name+".txt", report(t, &TextReporter{}, p))
			golden(t, "scenarios/"+tt.name+".md", report(t, &MarkdownReporter{}, p))
			golden(t, "scenarios/"+tt.name+".json", report(t, &JSONReporter{}, p))
		})
	}
}

// TestCommentsAndFormattingAreNoChange: the plan compares resolved models,
// so a comment or a field moved to another line is not a change, while
// the same value written in another file is not one either.
func TestCommentsAndFormattingAreNoChange(t *testing.T) {
	r := newGitRepo(t)
	copyShop(t, r.path("specs"))
	r.commit("shop")
	r.replace("specs/services/payments.cue", `	timeout: "900ms"`, "	// The provider's p99 is 700ms.\n	timeout:    \"900ms\"")
	r.replace("specs/services/payments.cue", "env: prod: replicas: 4", "env: {\n\t\tprod: {replicas: 4}\n\t}")
	p, err := Compute(context.Background(), Options{
		Model: loadModel(t, r.path("specs")), Render: testRender,
		Baseline: NewGitBaseline(r.path("specs"), "main", testRender),
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() {
		t.Errorf("comments and formatting planned as changes:\n%s", report(t, &TextReporter{}, p))
	}
}

// TestSpecEditNoTargetRendersIsAChange is the false green of issue 15: a
// field no renderer reads is still a change, with its position.
func TestSpecEditNoTargetRendersIsAChange(t *testing.T) {
	r := newGitRepo(t)
	copyShop(t, r.path("specs"))
	r.commit("shop")
	r.replace("specs/services/payments.cue", "critical: true}", "critical: false}")
	noObjects := func(context.Context, *schema.Model) ([]render.Object, error) { return nil, nil }
	p, err := Compute(context.Background(), Options{
		Model: loadModel(t, r.path("specs")), Render: noObjects,
		Baseline: NewGitBaseline(r.path("specs"), "main", noObjects),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasChanges() || len(p.Changes) != 1 {
		t.Fatalf("got %d changes, want 1:\n%s", len(p.Changes), report(t, &TextReporter{}, p))
	}
	c := p.Changes[0]
	line := r.lineOf("specs/services/payments.cue", "critical: false")
	if c.Path.String() != "services.payments.slo.critical" || c.Pos.File != "services/payments.cue" || c.Pos.Line != line || strings.Join(c.Environments, ",") != "prod,staging,dev" {
		t.Errorf("got %s at %s in %v", c.Path, c.Pos, c.Environments)
	}
}

func TestFindingsTheChangeIntroducesAndFixes(t *testing.T) {
	f := func(rule, msg string) lint.Finding {
		return lint.Finding{RuleID: rule, Severity: lint.SeverityError, Message: msg, Service: "orders", Environments: []string{"prod"}}
	}
	suppressed := f("GOV-X-003", "waived")
	suppressed.Suppressed = true
	refs, changes := diffFindings(
		[]lint.Finding{f("GOV-X-001", "kept"), f("GOV-X-002", "fixed")},
		[]lint.Finding{f("GOV-X-001", "kept"), f("GOV-X-004", "new"), suppressed}, true)
	if len(changes) != 1 || changes[0].Finding.Rule != "GOV-X-004" || !changes[0].Finding.New {
		t.Errorf("new findings as changes: %+v", changes)
	}
	if len(refs) != 2 || refs[0].Rule != "GOV-X-004" || !refs[0].New || refs[1].Rule != "GOV-X-002" || refs[1].New {
		t.Errorf("findings listed: %+v", refs)
	}
	if refs, changes := diffFindings(nil, []lint.Finding{f("GOV-X-004", "new")}, false); refs != nil || changes != nil {
		t.Error("without a spec baseline there is nothing to compare findings with")
	}
}
