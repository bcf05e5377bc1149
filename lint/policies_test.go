package lint

import (
	"context"
	"strings"
	"testing"
)

const policiesHeader = "package platform\n\n"

func TestParamsFromTheSpecReachRego(t *testing.T) {
	res := lintFixture(t, map[string]string{"policies.cue": policiesHeader + `policies: rules: {
	"GOV-TST-001": params: minReplicas: 4
	"GOV-TST-002": params: {maxSampling: 0.95, mode: "lenient"}
}
`}, nil)
	want := `GOV-TST-001 error services/a.cue:7:12 a [dev,staging]: 1 replicas, want at least 4
GOV-TST-001 error services/a.cue:8:23 a [prod]: 3 replicas, want at least 4
GOV-TST-001 error services/b.cue:7:12 b [dev,staging,prod]: 1 replicas, want at least 4
`
	if got := summary(res.Findings); got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	st := res.setting("GOV-TST-001")
	if p := st.Params[0]; p.Value != 4.0 || p.Default != 2.0 || p.Pos.String() != "policies.cue:4:25" {
		t.Errorf("param in force = %+v", p)
	}
}

func TestParamsAreValidatedAgainstMetadata(t *testing.T) {
	tests := []struct {
		name, policy, want string
	}{
		{
			"unknown param with did-you-mean",
			`"GOV-TST-001": params: minReplica: 3`,
			`policies.cue:4:25: policies.rules."GOV-TST-001".params.minReplica: unknown parameter "minReplica" of rule GOV-TST-001; did you mean "minReplicas"? (parameters: minReplicas)`,
		},
		{
			"wrong type",
			`"GOV-TST-001": params: minReplicas: "two"`,
			`policies.cue:4:25: policies.rules."GOV-TST-001".params.minReplicas: parameter minReplicas of rule GOV-TST-001 must be an integer, not string "two"`,
		},
		{
			"integer wanted",
			`"GOV-TST-001": params: minReplicas: 2.5`,
			`policies.cue:4:25: policies.rules."GOV-TST-001".params.minReplicas: parameter minReplicas of rule GOV-TST-001 must be an integer, not number 2.5`,
		},
		{
			"below minimum",
			`"GOV-TST-001": params: minReplicas: 0`,
			`policies.cue:4:25: policies.rules."GOV-TST-001".params.minReplicas: parameter minReplicas of rule GOV-TST-001 must be at least 1, got 0`,
		},
		{
			"above maximum",
			`"GOV-TST-002": params: maxSampling: 1.5`,
			`policies.cue:4:25: policies.rules."GOV-TST-002".params.maxSampling: parameter maxSampling of rule GOV-TST-002 must be at most 1, got 1.5`,
		},
		{
			"not in enum",
			`"GOV-TST-002": params: mode: "loose"`,
			`policies.cue:4:25: policies.rules."GOV-TST-002".params.mode: parameter mode of rule GOV-TST-002 must be one of "strict", "lenient", got "loose"`,
		},
		{
			"rule without params",
			`"GOV-TST-003": params: x: 1`,
			`policies.cue:4:25: policies.rules."GOV-TST-003".params.x: unknown parameter "x" of rule GOV-TST-003 (it takes no parameters)`,
		},
		{
			"unknown rule with did-you-mean",
			`"GOV-TST-011": severity: "info"`,
			"policies.cue:4:2: policies.rules.\"GOV-TST-011\": unknown rule GOV-TST-011; did you mean \"GOV-TST-001\"? (`govctl rules` lists them)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lintError(t, map[string]string{"policies.cue": policiesHeader + "policies: rules: {\n\t" + tt.policy + "\n}\n"})
			if strings.Join(got, "\n") != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}

func TestPolicyScoping(t *testing.T) {
	tests := []struct {
		name, policy, want string
	}{
		{
			"environments limit a rule",
			`"GOV-TST-001": environments: ["staging"]`,
			`GOV-TST-001 error services/a.cue:7:12 a [staging]: 1 replicas, want at least 2
GOV-TST-001 error services/b.cue:7:12 b [staging]: 1 replicas, want at least 2
`,
		},
		{
			"enabled false turns a rule off",
			`"GOV-TST-001": {enabled: false, reason: "replicas are the autoscaler's business"}`,
			``,
		},
		{
			"enabled false with environments turns it off only there",
			`"GOV-TST-001": {enabled: false, environments: ["dev"]}`,
			`GOV-TST-001 error services/a.cue:7:12 a [staging]: 1 replicas, want at least 2
GOV-TST-001 error services/b.cue:7:12 b [staging,prod]: 1 replicas, want at least 2
`,
		},
		{
			"owners limit a rule to their services",
			`"GOV-TST-001": owners: ["team-b"]`,
			`GOV-TST-001 error services/b.cue:7:12 b [dev,staging,prod]: 1 replicas, want at least 2
`,
		},
		{
			"severity override",
			`"GOV-TST-001": {severity: "info", owners: ["team-a"]}`,
			`GOV-TST-001 info services/a.cue:7:12 a [dev,staging]: 1 replicas, want at least 2
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := lintFixture(t, map[string]string{"policies.cue": policiesHeader + "policies: rules: {\n\t" + tt.policy + "\n\t\"GOV-TST-002\": enabled: false\n}\n"}, nil)
			if got := summary(res.Findings); got != tt.want {
				t.Errorf("findings:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestFailOn(t *testing.T) {
	onlyWarning := policiesHeader + `policies: {
	failOn: "%s"
	rules: "GOV-TST-001": enabled: false
}
`
	for _, tt := range []struct {
		failOn   string
		override Severity
		failed   bool
	}{
		{"error", "", false},
		{"warning", "", true},
		{"error", SeverityWarning, true},
		{"warning", SeverityError, false},
	} {
		res := lintFixture(t, map[string]string{"policies.cue": strings.Replace(onlyWarning, "%s", tt.failOn, 1)}, func(o *Options) { o.FailOn = tt.override })
		if res.Failed() != tt.failed {
			t.Errorf("failOn %s, override %q: Failed() = %v, want %v (%+v)", tt.failOn, tt.override, res.Failed(), tt.failed, res.Summary())
		}
	}
}

func TestRulesListsSettings(t *testing.T) {
	m := load(t, fixture(t, map[string]string{"policies.cue": policiesHeader + `policies: rules: {
	"GOV-TST-001": {severity: "warning", environments: ["prod"], params: minReplicas: 3, reason: "prod only"}
}
`}))
	settings, err := Rules(context.Background(), m, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range settings {
		ids = append(ids, s.Rule.ID)
	}
	if got, want := strings.Join(ids, " "), "GOV-EXC-001 GOV-EXC-002 GOV-TST-001 GOV-TST-002 GOV-TST-003"; got != want {
		t.Errorf("ids = %s, want %s", got, want)
	}
	s, err := FindRule(settings, "gov-tst-001")
	if err != nil {
		t.Fatal(err)
	}
	if s.Severity != SeverityWarning || s.Rule.Severity != SeverityError || s.Pos.String() != "policies.cue:4:2" || s.AppliesIn("dev") || !s.AppliesIn("prod") {
		t.Errorf("setting = %+v", s)
	}
	if _, err := FindRule(settings, "GOV-TST-01"); err == nil || !strings.Contains(err.Error(), `did you mean "GOV-TST-001"?`) {
		t.Errorf("FindRule unknown: %v", err)
	}
	var list, explain strings.Builder
	if err := WriteRules(&list, "specs", settings); err != nil {
		t.Fatal(err)
	}
	if err := ExplainRule(&explain, "specs", s); err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "rules.txt", []byte(list.String()))
	assertGolden(t, "explain.txt", []byte(explain.String()))
}
