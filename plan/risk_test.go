package plan

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/govctl/govctl/lint"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestRiskRegoTests runs the _test.rego files beside the risk rules, in the
// rules' sandbox, as `opa test plan/risk` would.
func TestRiskRegoTests(t *testing.T) {
	modules, err := riskModules(riskFiles, "risk", "plan/risk", true)
	if err != nil {
		t.Fatal(err)
	}
	compiler := ast.NewCompiler().WithCapabilities(lint.Capabilities()).WithDefaultRegoVersion(ast.RegoV1)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetDefaultRegoVersion(ast.RegoV1).
		SetModules(modules).
		SetTimeout(10*time.Second).
		RaiseBuiltinErrors(true).
		Run(context.Background(), modules)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range ch {
		n++
		name := strings.TrimPrefix(r.Name, "test_")
		if r.Error != nil {
			t.Errorf("%s: %v", name, r.Error)
		} else if r.Fail {
			t.Errorf("%s (%s): failed", name, r.Location)
		}
	}
	if n < 30 {
		t.Errorf("ran %d rego tests, want every rule class covered (30 or more)", n)
	}
}

func rate(t *testing.T, in RiskInput) Rating {
	t.Helper()
	r, err := NewRater(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := r.Rate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func TestRateTakesTheHighestRating(t *testing.T) {
	// A prod AuthorizationPolicy timeout-like field: security (high) beats
	// resilience (medium).
	got := rate(t, RiskInput{
		"action": "update", "target": "istio", "env": "prod", "tier": "prod", "kind": "AuthorizationPolicy",
		"id": map[string]any{}, "path": "spec.timeout", "segments": []any{"spec", "timeout"}, "op": "change",
		"before": "1s", "after": "2s", "object": map[string]any{},
	})
	if got.Risk != RiskHigh || !strings.Contains(got.Reason, "AuthorizationPolicy is mesh security policy") {
		t.Errorf("got %+v, want the security rating", got)
	}
}

func TestRateFallsBackWhenNoRuleMatches(t *testing.T) {
	got := rate(t, RiskInput{
		"action": "update", "target": "kratos", "env": "prod", "tier": "prod", "kind": "KratosBootstrap",
		"id": map[string]any{}, "path": "service.version", "segments": []any{"service", "version"}, "op": "change",
		"before": "v1", "after": "v2", "object": map[string]any{},
	})
	if want := (Rating{Risk: RiskLow, Reason: "no risk rule matched this change"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestRateReadsJSONNumbers(t *testing.T) {
	got := rate(t, RiskInput{
		"action": "update", "target": "github", "env": "prod", "tier": "prod", "kind": "Environment",
		"id": map[string]any{}, "path": "canary.maxErrorRate", "segments": []any{"canary", "maxErrorRate"}, "op": "change",
		"before": json.Number("0.005"), "after": json.Number("0.02"), "object": map[string]any{},
	})
	if got.Risk != RiskHigh {
		t.Errorf("got %+v, want high", got)
	}
}

func TestExtraRiskRulesAreEvaluatedWithTheBuiltins(t *testing.T) {
	extra := fstest.MapFS{"team.rego": {Data: []byte(`package govctl.risk

rating contains {"level": "high", "reason": "orders is critical"} if input.service == "orders"
`)}}
	r, err := NewRater(context.Background(), extra)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Rate(context.Background(), RiskInput{"action": "create", "target": "istio", "env": "dev", "tier": "dev", "service": "orders", "segments": []any{}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Risk != RiskHigh || got.Reason != "orders is critical" {
		t.Errorf("got %+v, want the extra rule's rating", got)
	}
}

func TestExtraRiskRulesMustBeInTheRiskPackage(t *testing.T) {
	extra := fstest.MapFS{"other.rego": {Data: []byte("package other\n\nx := 1\n")}}
	_, err := NewRater(context.Background(), extra)
	if err == nil || !strings.Contains(err.Error(), "want govctl.risk") {
		t.Fatalf("got %v, want a package error", err)
	}
}

func TestRiskRulesCannotReachTheNetworkOrEnvironment(t *testing.T) {
	for _, call := range []string{`http.send({"method": "get", "url": "http://x"})`, `opa.runtime()`, `time.now_ns()`, `rand.intn("x", 10)`} {
		extra := fstest.MapFS{"bad.rego": {Data: []byte("package govctl.risk\n\nx := " + call + "\n")}}
		if _, err := NewRater(context.Background(), extra); err == nil || !strings.Contains(err.Error(), "undefined function") {
			t.Errorf("%s: got %v, want undefined function", call, err)
		}
	}
}
