package schema

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestEveryPatternOfTheSchemaHasWords: a pattern without words would be
// reported as "does not have the form this field takes", which tells the
// user nothing; the regex itself is never shown.
func TestEveryPatternOfTheSchemaHasWords(t *testing.T) {
	for _, m := range regexp.MustCompile(`=~("(?:[^"\\]|\\.)*")`).FindAllStringSubmatch(schemaSource, -1) {
		if _, ok := patternWords[unquoteCUE(m[1])]; !ok {
			t.Errorf("schema pattern %s has no entry in patternWords", m[1])
		}
	}
}

func TestMessagesSpeakTheSpecsWords(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"govctl.cue": testPlatform,
		"a.cue": `package platform
services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v1", timeout: 500,
	slo: p99: "fast", replicas: 2000,
	dependencies: b: retries: {attempts: 1, perTryTimeout: "1s"}}
services: "B_x": {owner: "t", image: "ghcr.io/x/b", version: "v1"}
`,
	})
	_, err := Load(context.Background(), dir)
	if err == nil {
		t.Fatal("loaded")
	}
	msg := err.Error()
	for _, want := range []string{
		`services.a.timeout: 500 is a whole number; want a duration in quotes, such as "800ms"`,
		`services.a.slo.p99: "fast" is not a duration`,
		`services.a.replicas: 2000 is out of range: must be at least 0 and at most 1000`,
		`service name "B_x" is not valid: use a DNS label`,
		`dependency on undefined service "b"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("errors do not contain %q:\n%s", want, msg)
		}
	}
	for _, internal := range []string{"=~", "time.Duration()", "mismatched types", "out of bound", "incompatible list lengths"} {
		if strings.Contains(msg, internal) {
			t.Errorf("errors show CUE's %q:\n%s", internal, msg)
		}
	}
}

func TestUnknownTopLevelFieldsAreErrorsButHelpersAreNot(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"govctl.cue": testPlatform,
		"a.cue": `package platform
#Base: {owner: "team-a", image: "ghcr.io/x/a", version: "v1"}
_team: "team-a"
let img = "ghcr.io/x/b"
services: a: #Base
services: b: {owner: _team, image: img, version: "v1"}
`,
	})
	if _, err := Load(context.Background(), dir); err != nil {
		t.Fatalf("definitions, hidden fields and let are allowed: %v", err)
	}
	for typo, want := range map[string]string{
		"servics":     `servics: unknown top-level field; did you mean "services"?`,
		"enviroments": `enviroments: unknown top-level field; did you mean "environments"?`,
		"polices":     `polices: unknown top-level field; did you mean "policies"?`,
		"policy":      `policy: unknown top-level field; did you mean "policies"?`,
	} {
		dir := writeSpec(t, map[string]string{
			"govctl.cue": testPlatform,
			"a.cue":      "package platform\n" + typo + ": {}\n",
		})
		_, err := Load(context.Background(), dir)
		if err == nil || !strings.Contains(err.Error(), "a.cue:2:1: "+want) {
			t.Errorf("%s: err = %v, want %q", typo, err, want)
		}
	}
}

func TestATypeErrorDoesNotHideAnUnknownFieldOrAReference(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"govctl.cue": testPlatform,
		"a.cue": `package platform
services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v1"
	timeout: 500
	timout: "1s"
	dependencies: nosuch: {}
	env: stagin: replicas: 1
}
services: b: {image: "ghcr.io/x/b", version: "v1"}
`,
	})
	_, err := Load(context.Background(), dir)
	if err == nil {
		t.Fatal("loaded")
	}
	for _, want := range []string{
		"a.cue:3:11: services.a.timeout: 500 is a whole number",
		`a.cue:4:2: services.a.timout: unknown field; did you mean "timeout"?`,
		`services.a.dependencies.nosuch: dependency on undefined service "nosuch"`,
		`services.a.env.stagin: environment "stagin" is not defined`,
		"services.b.owner: required field is missing",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors do not contain %q:\n%v", want, err)
		}
	}
}

func TestAPolicyForAnUndefinedEnvironmentIsAReferenceError(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"govctl.cue": testPlatform,
		"a.cue": `package platform
services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v1", replicas: "x"}
policies: rules: "GOV-REG-001": environments: ["prd"]
`,
	})
	_, err := Load(context.Background(), dir)
	want := `a.cue:3:48: policies.rules."GOV-REG-001".environments[0]: environment "prd" is not defined (defined: dev, prod); did you mean "prod"?`
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "services.a.replicas") {
		t.Errorf("err = %v, want it to contain %q next to the schema error", err, want)
	}
}
