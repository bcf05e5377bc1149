package lint

import (
	"strings"
	"testing"
)

// serviceB is services/b.cue with exceptions added.
func serviceB(exceptions string) string {
	return `package platform

services: b: {
	owner:    "team-b"
	image:    "ghcr.io/acme/b"
	version:  "v2.0.0"
	replicas: 1
	exceptions: [` + exceptions + `]
}
`
}

func TestExceptions(t *testing.T) {
	tests := []struct {
		name, exceptions, want string
	}{
		{
			"a live exception suppresses the finding",
			`{rule: "GOV-TST-001", reason: "batch worker, one is enough", expires: "2026-05-01"}`,
			`GOV-TST-001 error services/b.cue:7:12 b [dev,staging,prod] suppressed: 1 replicas, want at least 2
`,
		},
		{
			"an exception for some environments suppresses only there",
			`{rule: "GOV-TST-001", reason: "batch worker, one is enough", expires: "2027-01-01", environments: ["dev"]}`,
			`GOV-TST-001 error services/b.cue:7:12 b [dev] suppressed: 1 replicas, want at least 2
GOV-TST-001 error services/b.cue:7:12 b [staging,prod]: 1 replicas, want at least 2
`,
		},
		{
			"an expired exception is a finding and suppresses nothing",
			`{rule: "GOV-TST-001", reason: "batch worker, one is enough", expires: "2026-04-30"}`,
			`GOV-TST-001 error services/b.cue:7:12 b [dev,staging,prod]: 1 replicas, want at least 2
GOV-EXC-001 error services/b.cue:8:85 b [dev,staging,prod]: exception for GOV-TST-001 expired on 2026-04-30; its findings are reported again (reason was: batch worker, one is enough)
`,
		},
		{
			"an exception for an unknown rule is a finding",
			`{rule: "GOV-TST-010", reason: "batch worker, one is enough", expires: "2027-01-01"}`,
			`GOV-TST-001 error services/b.cue:7:12 b [dev,staging,prod]: 1 replicas, want at least 2
GOV-EXC-002 warning services/b.cue:8:22 b [dev,staging,prod]: exception names unknown rule GOV-TST-010; did you mean "GOV-TST-001"?
`,
		},
		{
			"an exception for an unknown environment is a finding",
			`{rule: "GOV-TST-001", reason: "batch worker, one is enough", expires: "2027-01-01", environments: ["qa"]}`,
			`GOV-TST-001 error services/b.cue:7:12 b [dev,staging,prod]: 1 replicas, want at least 2
GOV-EXC-002 warning services/b.cue:8:99 b [dev,staging,prod]: exception for GOV-TST-001 names unknown environment "qa" (defined: dev, staging, prod)
`,
		},
		{
			"an impossible date is an expired exception",
			`{rule: "GOV-TST-001", reason: "batch worker, one is enough", expires: "2027-02-30"}`,
			`GOV-TST-001 error services/b.cue:7:12 b [dev,staging,prod]: 1 replicas, want at least 2
GOV-EXC-001 error services/b.cue:8:85 b [dev,staging,prod]: exception for GOV-TST-001: expires "2027-02-30" is not a date (want YYYY-MM-DD); it waives nothing
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := lintFixture(t, map[string]string{
				"services/b.cue": serviceB(tt.exceptions),
				"policies.cue":   policiesHeader + `policies: rules: "GOV-TST-002": enabled: false` + "\n",
			}, func(o *Options) { o.Files = []string{"services/b.cue"} })
			if got := summary(res.Findings); got != tt.want {
				t.Errorf("findings:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestSuppressedFindingCarriesTheException(t *testing.T) {
	res := lintFixture(t, map[string]string{
		"services/b.cue": serviceB(`{rule: "GOV-TST-001", reason: "batch worker, one is enough", expires: "2027-01-01"}`),
	}, func(o *Options) { o.Files = []string{"services/b.cue"} })
	if len(res.Findings) != 1 {
		t.Fatalf("findings:\n%s", summary(res.Findings))
	}
	f := res.Findings[0]
	if e := f.Exception; e == nil || e.Reason != "batch worker, one is enough" || e.Expires != "2027-01-01" || e.Pos.Line != 8 {
		t.Errorf("exception = %+v", e)
	}
	if s := res.Summary(); s != (Summary{Suppressed: 1}) || res.Failed() {
		t.Errorf("summary = %+v, failed = %v; a suppressed error does not fail", s, res.Failed())
	}
}

func TestExceptionRulesCanBeConfigured(t *testing.T) {
	res := lintFixture(t, map[string]string{
		"services/b.cue": serviceB(`{rule: "GOV-TST-001", reason: "batch worker, one is enough", expires: "2020-01-01"}`),
		"policies.cue":   policiesHeader + `policies: rules: "GOV-EXC-001": severity: "warning"` + "\n",
	}, func(o *Options) { o.Files = []string{"services/b.cue"} })
	for _, f := range res.Findings {
		if f.RuleID == RuleExpiredException && f.Severity != SeverityWarning {
			t.Errorf("GOV-EXC-001 severity = %s, want the spec's warning", f.Severity)
		}
	}
	if !strings.Contains(summary(res.Findings), "GOV-EXC-001") {
		t.Errorf("no GOV-EXC-001:\n%s", summary(res.Findings))
	}
}
