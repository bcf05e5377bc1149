package schema

import (
	"context"
	"testing"
	"time"
)

func resolveShop(t *testing.T, env string) *Resolved {
	t.Helper()
	m, err := Load(context.Background(), "../examples/shop")
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.Resolve(env)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGateDefaultsAreTheSchemasCanaryDefaults(t *testing.T) {
	// The values the schema documents for #Canary; the Go side reads them
	// from the embedded schema, so a zero here means the lookup broke.
	d := canaryDefaults()
	if d.interval != 5*time.Minute || d.maxErrorRate != 0.005 || d.metric != "istio_requests_total" {
		t.Fatalf("canaryDefaults() = %+v, want 5m, 0.005, istio_requests_total", d)
	}
}

func TestGateLimitIsTheCanaryThenTheSLOThenTheDefault(t *testing.T) {
	prod := resolveShop(t, "prod")
	got := prod.GateLimit(prod.Services["payments"])
	if got.Value != 0.005 || got.From() != "environments.prod.canary.maxErrorRate" || got.Pos.Line == 0 {
		t.Errorf("prod payments: %+v, want the canary's 0.005 at its position", got)
	}
	staging := resolveShop(t, "staging")
	got = staging.GateLimit(staging.Services["payments"])
	if got.Value != 0.001 || got.From() != "services.payments.slo.errorRate" || got.Pos.Line == 0 {
		t.Errorf("staging payments: %+v, want the SLO's 0.001 at its position", got)
	}
	got = staging.GateLimit(staging.Services["orders"])
	if got.Value != 0.005 || got.From() != "default" || got.Pos != (Pos{}) {
		t.Errorf("staging orders: %+v, want the schema default", got)
	}
}

func TestGateWindowAndMetricAreTheCanarysElseTheSchemas(t *testing.T) {
	prod := resolveShop(t, "prod")
	if w := prod.GateWindow(); w.Value != 5*time.Minute || w.Field.String() != "environments.prod.canary.interval" {
		t.Errorf("prod window %+v", w)
	}
	if mt := prod.GateMetric(); mt.Value != "istio_requests_total" || mt.Field.String() != "environments.prod.canary.metric" {
		t.Errorf("prod metric %+v", mt)
	}
	staging := resolveShop(t, "staging")
	if w := staging.GateWindow(); w.Value != 5*time.Minute || w.Field.String() != "" {
		t.Errorf("staging window %+v", w)
	}
	if mt := staging.GateMetric(); mt.Value != "istio_requests_total" || mt.Field.String() != "" {
		t.Errorf("staging metric %+v", mt)
	}
}

func TestRolloutRunsBothVersionsOnlyWhereTheEnvironmentStagesIt(t *testing.T) {
	prod := resolveShop(t, "prod")
	got := prod.Rollout(prod.Services["orders"])
	want := Rollout{Stable: "v1.4.1", Canary: "v1.4.2", Stepped: true}
	if got.Value.Stable != want.Stable || got.Value.Canary != want.Canary || !got.Value.Stepped || !got.Value.SideBySide() {
		t.Errorf("prod orders: %+v, want %+v", got.Value, want)
	}
	if got.Field.String() != "services.orders.traffic.stableVersion" || got.Pos.Line == 0 {
		t.Errorf("prod orders set at %s %v", got.Field, got.Pos)
	}
	dev := resolveShop(t, "dev")
	got = dev.Rollout(dev.Services["orders"])
	if got.Value.SideBySide() || got.Value.Stable != dev.Services["orders"].Version || got.Field.String() != "services.orders.version" {
		t.Errorf("dev orders: %+v", got)
	}
}
