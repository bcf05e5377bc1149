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
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestRiskRegoTests runs the _test.rego files beside the risk rules, in the
// rules' sandbox, as `opa test plan/risk` would.
func TestRiskRegoTests(t *testing.T) {
	modules, err := riskModules(riskFiles, "risk", "plan/risk", true)
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := riskRules(modules)
	if err != nil {
		t.Fatal(err)
	}
	compiler := ast.NewCompiler().WithCapabilities(lint.Capabilities()).WithDefaultRegoVersion(ast.RegoV1)
	ch, err := tester.NewRunner().
		SetStore(inmem.NewFromObject(map[string]any{"govctl": map[string]any{"params": params}})).
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
	if n < 60 {
		t.Errorf("ran %d rego tests, want every rule covered (60 or more)", n)
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

func TestEveryRiskRuleHasMetadataAndATest(t *testing.T) {
	r, err := NewRater(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rules) < 20 {
		t.Errorf("%d risk rules, want at least 20", len(r.Rules))
	}
	for _, rule := range r.Rules {
		test := strings.TrimSuffix(strings.TrimPrefix(rule.File, "plan/"), ".rego") + "_test.rego"
		if _, err := riskFiles.Open(test); err != nil {
			t.Errorf("%s (%s) has no %s", rule.ID, rule.File, test)
		}
	}
}

func TestUnratedChangeIsLowWithAReason(t *testing.T) {
	got := rate(t, RiskInput{"scope": "objects-of-another-kind", "env": "prod", "tier": "prod", "segments": []any{}})
	if want := (Rating{Risk: RiskLow, Reason: "no risk rule rated this change"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestRateReadsJSONNumbers(t *testing.T) {
	got := rate(t, RiskInput{
		"scope": "environment", "action": "update", "env": "prod", "tier": "prod",
		"segments": []any{"canary", "maxErrorRate"}, "from": json.Number("0.005"), "to": json.Number("0.02"),
		"environment": map[string]any{"before": map[string]any{"canary": map[string]any{"steps": []any{10, 100}}}},
	})
	if got.Risk != RiskHigh || got.Rule != "RISK-CAN-001" {
		t.Errorf("got %+v, want high from RISK-CAN-001", got)
	}
}

func TestExtraRiskRulesAreEvaluatedWithTheBuiltins(t *testing.T) {
	extra := fstest.MapFS{"team.rego": {Data: []byte(`package govctl.risk.team

rating contains {"level": "high", "reason": "orders is critical"} if input.service == "orders"
`)}}
	r, err := NewRater(context.Background(), extra)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Rate(context.Background(), RiskInput{"scope": "service", "action": "create", "env": "dev", "tier": "dev", "service": "orders", "segments": []any{}})
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
	if err == nil || !strings.Contains(err.Error(), "want one under govctl.risk") {
		t.Fatalf("got %v, want a package error", err)
	}
}

func TestRiskRulesCannotReachTheNetworkOrEnvironment(t *testing.T) {
	for _, call := range []string{`http.send({"method": "get", "url": "http://x"})`, `opa.runtime()`, `time.now_ns()`, `rand.intn("x", 10)`} {
		extra := fstest.MapFS{"bad.rego": {Data: []byte("package govctl.risk.bad\n\nx := " + call + "\n")}}
		if _, err := NewRater(context.Background(), extra); err == nil || !strings.Contains(err.Error(), "undefined function") {
			t.Errorf("%s: got %v, want undefined function", call, err)
		}
	}
}
