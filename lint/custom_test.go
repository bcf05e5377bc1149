package lint

import (
	"strings"
	"testing"
)

const conftestPolicy = `package shop.images

deny contains msg if {
	some name, svc in input.services
	not startswith(svc.image, "ghcr.io/acme/")
	msg := sprintf("%s: image %s is not from the acme registry", [name, svc.image])
}

warn contains {"msg": "version is v1.0.0", "service": name, "path": "version"} if {
	some name, svc in input.services
	svc.version == "v1.0.0"
}
`

const metadataPolicy = `# METADATA
# title: Prod needs three approvals
# description: Shop policy.
# custom:
#   id: SHOP-DEL-001
#   severity: warning
#   remediation: Add approvals.
#   params:
#     approvals: {type: integer, default: 3, minimum: 1, description: Approvals prod needs.}
package shop.delivery

violation contains {"msg": sprintf("%d approvals, want %d", [env.approvals, n]), "path": sprintf("environments.%s.approvals", [env.name])} if {
	env := input.environment
	env.tier == "prod"
	n := data.govctl.params["SHOP-DEL-001"].approvals
	env.approvals < n
}
`

func TestCustomPolicies(t *testing.T) {
	res := lintFixture(t, map[string]string{
		"policies/images.rego":         conftestPolicy,
		"policies/images_test.rego":    "package shop.images_test\n\ntest_nothing if { true }\n",
		"policies/delivery.rego":       metadataPolicy,
		"services/b.cue":               strings.Replace(mustRead(t, "testdata/platform/services/b.cue"), "ghcr.io/acme/b", "docker.io/b", 1),
		"policies/README.md":           "not a policy",
		"policies.cue":                 policiesHeader + `policies: rules: "GOV-TST-001": enabled: false` + "\n",
		"policies/nested/ignored.rego": "package ignored\n\ndeny contains \"x\"\n",
	}, nil)
	want := `shop.images error platform.cue:3:1  [dev,staging,prod]: b: image docker.io/b is not from the acme registry
GOV-TST-002 warning platform.cue:6:32  [dev,staging,prod]: sampling 0.9 is above 0.5 (strict, now 2026-05-01T12:00:00Z)
SHOP-DEL-001 warning platform.cue:12:34  [prod]: 2 approvals, want 3
shop.images warning services/a.cue:6:12 a [dev,staging,prod]: version is v1.0.0
`
	if got := summary(res.Findings); got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	if s := res.setting("shop.images"); s == nil || s.Rule.Builtin || s.Rule.File != "policies/images.rego" {
		t.Errorf("custom rule setting = %+v", s)
	}
}

func TestCustomPolicyMistakesAreLoadErrors(t *testing.T) {
	tests := []struct {
		name, file, src, want string
	}{
		{"syntax", "policies/bad.rego", "package shop.bad\n\nviolation contains x if {\n", "policies/bad.rego:4: unexpected eof token"},
		{"rego v0", "policies/old.rego", "package shop.old\n\ndeny[msg] {\n\tmsg := \"x\"\n}\n", "policies/old.rego:3:"},
		{"builtin package", "policies/reg.rego", "package govctl.rules.tst_001\n\nviolation contains {\"msg\": \"x\"}\n", "policies/reg.rego:1:1: package govctl.rules.tst_001 is a built-in rule package"},
		{"reserved params", "policies/p.rego", "package govctl.params.x\n\nv := 1\n", "policies/p.rego:1:1: package govctl.params.x is reserved"},
		{"duplicate id", "policies/dup.rego", "# METADATA\n# title: dup\n# custom:\n#   id: GOV-TST-001\npackage shop.dup\n\nviolation contains {\"msg\": \"x\"}\n", "policies/dup.rego:5: rule id GOV-TST-001 is already the id of built-in rule"},
		{"bad metadata", "policies/meta.rego", "# METADATA\n# custom:\n#   id: SHOP-X-001\n#   severity: fatal\npackage shop.meta\n\nviolation contains {\"msg\": \"x\"}\n", `policies/meta.rego:1: METADATA custom.severity: unknown severity "fatal"`},
		{"param without default", "policies/pd.rego", "# METADATA\n# custom:\n#   id: SHOP-X-002\n#   params:\n#     n: {type: number}\npackage shop.pd\n\nviolation contains {\"msg\": \"x\"}\n", "policies/pd.rego:1: METADATA custom.params: n: no default"},
		{"id without violation", "policies/nv.rego", "# METADATA\n# custom:\n#   id: SHOP-X-003\npackage shop.nv\n\nv := 1\n", "policies/nv.rego:1: package shop.nv declares rule SHOP-X-003 but defines no `violation contains f if {...}`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lintError(t, map[string]string{tt.file: tt.src})
			if len(got) == 0 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("errors:\n%s\nwant prefix:\n%s", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}

func TestRegoTestsOfADirectory(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"delivery.rego": metadataPolicy,
		"delivery_test.rego": `package shop.delivery_test

import data.shop.delivery

prod(n) := {"environment": {"name": "prod", "tier": "prod", "approvals": n}}

test_two_approvals_fails if {
	count(delivery.violation) == 1 with input as prod(2)
}

test_three_approvals_passes if {
	count(delivery.violation) == 0 with input as prod(3)
}

test_param_from_spec if {
	count(delivery.violation) == 0 with input as prod(2) with data.govctl.params as {"SHOP-DEL-001": {"approvals": 2}}
}

test_wrong_expectation if {
	count(delivery.violation) == 0 with input as prod(1)
}

test_errors if {
	print("about to fail")
	to_number("x") == 1
}
`,
	}
	for n, c := range files {
		if err := writeFile(dir+"/"+n, c); err != nil {
			t.Fatal(err)
		}
	}
	results, err := Test(t.Context(), dir, TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range results {
		outcome := "PASS"
		switch {
		case r.Error != "":
			outcome = "ERROR"
		case r.Fail:
			outcome = "FAIL"
		}
		got = append(got, r.Name+" "+outcome)
	}
	want := "test_two_approvals_fails PASS,test_three_approvals_passes PASS,test_param_from_spec PASS,test_wrong_expectation FAIL,test_errors FAIL"
	if strings.Join(got, ",") != want {
		t.Errorf("results = %s\nwant %s", strings.Join(got, ","), want)
	}
	var b strings.Builder
	for i := range results {
		results[i].Duration = 0
	}
	ok, err := WriteTestResults(&b, results, true)
	if err != nil || ok {
		t.Errorf("WriteTestResults = %v, %v; want false", ok, err)
	}
	out := strings.ReplaceAll(b.String(), dir, "policies")
	assertGolden(t, "test-verbose.txt", []byte(out))
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := readFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
