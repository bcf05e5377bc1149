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
	want := "dev:dev staging:staging prod:prod eu-prod:prod qa-old:prod"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("environments %q, want %q", got, want)
	}
	var order []string
	for _, ch := range p.Objects {
		order = append(order, ch.Env)
	}
	// Object changes are listed prod first (the reverse of promotion order),
	// objects that span environments last.
	if got := strings.Join(order, ","); got != "qa-old,eu-prod,prod,staging,dev," {
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
