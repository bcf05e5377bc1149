package lint

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/internal/secret"
)

const secretService = `package platform

services: a: {
	owner:    "team-a"
	image:    "ghcr.io/acme/a"
	version:  "v1.0.0"
	replicas: 1
	config: {
		sensitive: ["dsn"]
		data: {
			db: {password: "hunter2-literal", passwd: "${DB_PASSWD}", dsn: "mysql:3306/a", maxOpen: 50}
			providers: [{name: "stripe", apiKey: "sk_live_abcdef"}]
			upstream: "app:s3cretpw@tcp(mysql:3306)/a"
			passwordPolicy: minLength: 12
			pin: "4711-2222"
		}
	}
	env: prod: config: data: db: password: "prod-only-literal"
}
`

// leaves lists every string leaf of config data with its path.
func leaves(path fieldpath.Path, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			leaves(path.Field(k), e, out)
		}
	case []any:
		for i, e := range t {
			leaves(path.Index(i), e, out)
		}
	case string:
		out[path.String()] = t
	}
}

// TestSecretMatcherAgreesWithTheRule lints with the built-in GOV-SEC-003
// and checks that the values the matcher redacts are exactly those the
// rule reports, with the rule's defaults and with a pattern the spec sets:
// one definition, read by both.
func TestSecretMatcherAgreesWithTheRule(t *testing.T) {
	for _, tc := range []struct {
		name, policies string
		want           []string
	}{
		{"defaults", "", []string{"config.data.db.dsn", "config.data.db.password", "config.data.providers[0].apiKey", "config.data.upstream"}},
		{"pattern set by the spec", policiesHeader + `policies: rules: "GOV-SEC-003": params: pattern: "(?i)(password|pin)$"` + "\n",
			[]string{"config.data.db.dsn", "config.data.db.password", "config.data.pin", "config.data.upstream"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"services/a.cue": secretService}
			if tc.policies != "" {
				files["policies.cue"] = tc.policies
			}
			m := load(t, fixture(t, files))
			res, err := Lint(context.Background(), m, Options{Now: fixedNow, Environments: []string{"dev"}})
			if err != nil {
				t.Fatal(err)
			}
			var reported []string
			for _, f := range res.Findings {
				if f.RuleID == SecretRuleID && f.Service == "a" {
					reported = append(reported, f.Path)
				}
			}
			slices.Sort(reported)
			matcher, err := SecretMatcher(m)
			if err != nil {
				t.Fatal(err)
			}
			r, err := m.Resolve("dev")
			if err != nil {
				t.Fatal(err)
			}
			all := map[string]string{}
			leaves(fieldpath.New("config", "data"), r.Services["a"].Config.Data, all)
			var redacted []string
			for p, v := range all {
				path, err := fieldpath.Parse(p)
				if err != nil {
					t.Fatal(err)
				}
				if matcher.SensitiveValue("a", path, v) {
					redacted = append(redacted, p)
				}
			}
			slices.Sort(redacted)
			if !slices.Equal(reported, tc.want) {
				t.Errorf("GOV-SEC-003 reported %v, want %v", reported, tc.want)
			}
			if !slices.Equal(redacted, reported) {
				t.Errorf("matcher redacts %v, the rule reports %v", redacted, reported)
			}
		})
	}
}

func TestSecretMatcherCollectsEveryEnvironmentsLiterals(t *testing.T) {
	m := load(t, fixture(t, map[string]string{"services/a.cue": secretService}))
	matcher, err := SecretMatcher(m)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(matcher.Literals(), "\n")
	for _, want := range []string{"hunter2-literal", "prod-only-literal", "sk_live_abcdef", "mysql:3306/a", "app:s3cretpw@tcp(mysql:3306)/a"} {
		if !strings.Contains(got, want) {
			t.Errorf("Literals lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "${DB_PASSWD}") {
		t.Errorf("Literals hold a placeholder:\n%s", got)
	}
	if s := matcher.Scrub("content: password: prod-only-literal"); s != "content: password: "+secret.Marker {
		t.Errorf("Scrub = %q", s)
	}
}

func TestSecretMatcherReportsABadPatternAtTheSpec(t *testing.T) {
	m := load(t, fixture(t, map[string]string{"policies.cue": policiesHeader + `policies: rules: "GOV-SEC-003": params: pattern: "(password"` + "\n"}))
	_, err := SecretMatcher(m)
	if err == nil || !strings.Contains(err.Error(), "policies.cue:3:") || !strings.Contains(err.Error(), "not a regular expression") {
		t.Errorf("SecretMatcher error = %v", err)
	}
}
