package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

func computeFixture(t *testing.T, desired, base []render.Object) *Plan {
	t.Helper()
	p, err := Compute(context.Background(), Options{
		Model:    loadModel(t, "../examples/shop"),
		Render:   func(context.Context, *schema.Model) ([]render.Object, error) { return desired, nil },
		Baseline: &fixtureBaseline{objs: base},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPolicyChangesAreRatedByTierWithTheRuleID(t *testing.T) {
	setting := func(enabled bool, severity string, maxTimeout int) LintRuleSetting {
		return LintRuleSetting{Enabled: enabled, Severity: severity,
			Params: map[string]any{"maxTimeout": maxTimeout}, Looser: map[string]string{"maxTimeout": LooserHigher}}
	}
	tests := []struct {
		name         string
		env          string
		before, want LintRuleSetting
		risk         Risk
		reason       string
	}{
		{"DisabledForProd", "prod", setting(true, "error", 5), setting(false, "error", 5), RiskHigh, "lint rule GOV-RES-002 disabled in prod"},
		{"SeverityLoweredForProd", "prod", setting(true, "error", 5), setting(true, "warning", 5), RiskHigh, "lint rule GOV-RES-002 severity lowered error → warning in prod"},
		{"ThresholdLoosenedForProd", "prod", setting(true, "error", 5), setting(true, "error", 10), RiskHigh, "lint rule GOV-RES-002 loosened in prod: maxTimeout 5 → 10"},
		{"ThresholdLoosenedForStaging", "staging", setting(true, "error", 5), setting(true, "error", 10), RiskMedium, "lint rule GOV-RES-002 loosened in staging: maxTimeout 5 → 10"},
		{"DisabledForDev", "dev", setting(true, "error", 5), setting(false, "error", 5), RiskLow, "lint rule GOV-RES-002 disabled in dev"},
		{"ThresholdTightenedForProd", "prod", setting(true, "error", 5), setting(true, "error", 3), RiskLow, "no risk rule matched this change"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := computeFixture(t,
				[]render.Object{PolicyObject(tt.env, "GOV-RES-002", tt.want)},
				[]render.Object{PolicyObject(tt.env, "GOV-RES-002", tt.before)})
			if len(p.Changes) != 1 {
				t.Fatalf("got %d changes, want 1", len(p.Changes))
			}
			ch := p.Changes[0]
			if ch.Name != "LintRule GOV-RES-002" || ch.Target != TargetPolicy || ch.Risk != tt.risk || ch.Reason != tt.reason {
				t.Errorf("got %s %s %q, want %s %q", ch.Name, ch.Risk, ch.Reason, tt.risk, tt.reason)
			}
		})
	}
}

func TestEnvironmentsAreInPromotionOrder(t *testing.T) {
	obj := func(env string) render.Object {
		return render.Object{Target: render.TargetKratos, Env: env, Path: env + "/x.yaml", Value: map[string]any{"a": 1}}
	}
	wf := render.Object{Target: render.TargetGitHub, Path: ".github/workflows/x.yml", Value: map[string]any{"on": "push"}}
	p := computeFixture(t,
		[]render.Object{obj("prod"), obj("dev"), wf},
		[]render.Object{obj("staging"), obj("qa-old"), obj("eu-prod")})
	var names []string
	for _, e := range p.Environments {
		names = append(names, e.Name+":"+string(e.Tier))
	}
	want := "dev:dev staging:staging prod:prod eu-prod:prod qa-old:prod :prod"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("environments %q, want %q", got, want)
	}
	var order []string
	for _, ch := range p.Changes {
		order = append(order, ch.Env)
	}
	if got := strings.Join(order, ","); got != "dev,staging,prod,eu-prod,qa-old," {
		t.Errorf("change order %q", got)
	}
}

func TestTierFromName(t *testing.T) {
	tests := map[string]schema.Tier{
		"prod-eu": schema.TierProd, "production": schema.TierProd, "live": schema.TierProd,
		"staging": schema.TierStaging, "preprod": schema.TierProd, "uat": schema.TierStaging,
		"dev-2": schema.TierDev, "test": schema.TierDev, "qa": schema.TierProd,
	}
	for name, want := range tests {
		if got := tierFromName(name); got != want {
			t.Errorf("tierFromName(%q) = %s, want %s", name, got, want)
		}
	}
}

func TestWorkflowJobFieldsAreRatedInTheJobsEnvironment(t *testing.T) {
	p := computeFixture(t, []render.Object{workflow("", "Deploy v2 to dev")}, []render.Object{workflow("", "Deploy v1 to dev")})
	if len(p.Changes) != 1 {
		t.Fatalf("got %d changes", len(p.Changes))
	}
	ch := p.Changes[0]
	if ch.Env != "" || ch.Tier != schema.TierProd {
		t.Errorf("workflow env %q tier %s, want \"\" and prod", ch.Env, ch.Tier)
	}
	if ch.Risk != RiskLow || !strings.Contains(ch.Reason, "only dev changes") {
		t.Errorf("dev job field rated %s %q, want low for dev", ch.Risk, ch.Reason)
	}
}

func TestDuplicateIdentitiesAreAnError(t *testing.T) {
	vs := kube("prod", "VirtualService", "shop-prod", "orders", map[string]any{})
	other := vs
	other.Path = "prod/istio/other.yaml"
	_, err := Compute(context.Background(), Options{
		Model:    loadModel(t, "../examples/shop"),
		Render:   func(context.Context, *schema.Model) ([]render.Object, error) { return []render.Object{vs, other}, nil },
		Baseline: &fixtureBaseline{},
	})
	if err == nil || !strings.Contains(err.Error(), "same identity VirtualService shop-prod/orders") {
		t.Fatalf("got %v", err)
	}
}

func TestComputeNeedsItsInputs(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	for _, opts := range []Options{
		{Render: testRender, Baseline: &fixtureBaseline{}},
		{Model: m, Baseline: &fixtureBaseline{}},
		{Model: m, Render: testRender},
	} {
		if _, err := Compute(context.Background(), opts); err == nil {
			t.Errorf("Compute(%+v) succeeded", opts)
		}
	}
}
