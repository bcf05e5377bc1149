package schema

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
)

const testPlatform = `package platform

platform: {
	name: "demo"
	registry: {kind: "consul", address: "consul:8500"}
	configCenter: kind: "none"
	telemetry: tracing: sampling: 0.1
	defaults: {replicas: 3, middleware: ["recovery", "tracing"]}
}
environments: {
	dev: {tier: "dev", defaults: timeout: "2s"}
	prod: {tier: "prod", approvals: 2}
}
`

// writeSpec writes files (path → content) into a new temp dir.
func writeSpec(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustLoad(t *testing.T, files map[string]string) *Model {
	t.Helper()
	m, err := Load(context.Background(), writeSpec(t, files))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return m
}

func TestShopLoadsWithEveryEnvironmentResolved(t *testing.T) {
	m, err := Load(context.Background(), "../examples/shop")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(m.EnvironmentNames(), ","), "dev,staging,prod"; got != want {
		t.Errorf("environments = %s, want %s (promotion order)", got, want)
	}
	if len(m.Services) < 6 {
		t.Errorf("shop has %d services, want at least 6", len(m.Services))
	}
	for _, env := range m.EnvironmentNames() {
		r, err := m.Resolve(env)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", env, err)
		}
		for name, svc := range r.Services {
			if svc.Owner == "" || svc.Image == "" || svc.Version == "" {
				t.Errorf("%s/%s: resolved without owner/image/version", name, env)
			}
		}
	}
}

func TestSubdirectoriesFormOnePlatform(t *testing.T) {
	m := mustLoad(t, map[string]string{
		"govctl.cue":           testPlatform,
		"services/a/a.cue":     "package platform\nservices: a: {owner: \"team-a\", image: \"ghcr.io/x/a\", version: \"v1\"}\n",
		"services/b.cue":       "package platform\nservices: b: {owner: \"team-b\", image: \"ghcr.io/x/b\", version: \"v1\", dependencies: a: {}}\n",
		"cue.mod/module.cue":   "module: \"example.com/demo\"\nlanguage: version: \"v0.14.0\"\n",
		".hidden/ignored.cue":  "this is not CUE",
		"_scratch/ignored.cue": "neither is this",
		"services/README.md":   "# notes",
		"services/b.cue.orig":  "junk",
	})
	if got := strings.Join(m.ServiceNames(), ","); got != "a,b" {
		t.Errorf("services = %s, want a,b", got)
	}
	if got := strings.Join(m.Files, ","); got != "govctl.cue,services/a/a.cue,services/b.cue" {
		t.Errorf("files = %s", got)
	}
}

func TestPrecedenceSchemaPlatformEnvironmentServiceOverlay(t *testing.T) {
	m := mustLoad(t, map[string]string{
		"govctl.cue": testPlatform,
		"svc.cue": `package platform
services: a: {
	owner: "team-a", image: "ghcr.io/x/a", version: "v1"
	timeout: "500ms"
	env: prod: {replicas: 7}
}
services: b: {owner: "team-b", image: "ghcr.io/x/b", version: "v1"}
`,
	})
	dev, _ := m.Resolve("dev")
	prod, _ := m.Resolve("prod")
	tests := []struct {
		name      string
		got, want any
		layer     Layer
		origin    Origin
	}{
		{"platform default replicas in dev", dev.Services["a"].Replicas, 3, LayerPlatform, dev.Services["a"].Origin(fieldpath.MustParse("replicas"))},
		{"overlay replicas in prod", prod.Services["a"].Replicas, 7, LayerOverlay, prod.Services["a"].Origin(fieldpath.MustParse("replicas"))},
		{"service timeout beats environment default", dev.Services["a"].Timeout, Duration("500ms"), LayerService, dev.Services["a"].Origin(fieldpath.MustParse("timeout"))},
		{"environment default timeout", dev.Services["b"].Timeout, Duration("2s"), LayerEnvironment, dev.Services["b"].Origin(fieldpath.MustParse("timeout"))},
		{"schema default timeout", prod.Services["b"].Timeout, Duration("1s"), LayerSchema, prod.Services["b"].Origin(fieldpath.MustParse("timeout"))},
		{"schema default port", prod.Services["b"].Ports.HTTP, 8000, LayerSchema, prod.Services["b"].Origin(fieldpath.MustParse("ports.http"))},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: value = %v, want %v", tt.name, tt.got, tt.want)
		}
		if tt.origin.Layer != tt.layer {
			t.Errorf("%s: layer = %v, want %v", tt.name, tt.origin.Layer, tt.layer)
		}
		if tt.layer != LayerSchema && !tt.origin.Pos.IsValid() {
			t.Errorf("%s: no position for a user-set value", tt.name)
		}
	}
	if p := prod.Services["a"].Origin(fieldpath.MustParse("replicas")).Pos; p.File != "svc.cue" || p.Line != 5 {
		t.Errorf("overlay replicas position = %v, want svc.cue:5", p)
	}
}

func TestOverlayMergesStructsAndReplacesLists(t *testing.T) {
	m := mustLoad(t, map[string]string{
		"govctl.cue": testPlatform,
		"svc.cue": `package platform
services: a: {
	owner: "team-a", image: "ghcr.io/x/a", version: "v1"
	middleware: ["recovery", "tracing", "logging"]
	resilience: rateLimit: {rps: 100, burst: 20}
	config: data: {db: {maxOpen: 10, maxIdle: 5}}
	env: prod: {
		middleware: ["recovery"]
		resilience: rateLimit: rps: 900
		config: data: db: maxOpen: 80
	}
}
`,
	})
	prod, _ := m.Resolve("prod")
	a := prod.Services["a"]
	if got := strings.Join(a.Middleware, ","); got != "recovery" {
		t.Errorf("middleware = %s, want the overlay's list only", got)
	}
	if a.Resilience.RateLimit.RPS != 900 || a.Resilience.RateLimit.Burst != 20 {
		t.Errorf("rateLimit = %+v, want rps from overlay and burst from service", a.Resilience.RateLimit)
	}
	db := a.Config.Data["db"].(map[string]any)
	if db["maxOpen"] != int64(80) && db["maxOpen"] != 80 && db["maxOpen"] != float64(80) {
		t.Errorf("config.data.db.maxOpen = %v, want 80", db["maxOpen"])
	}
	if db["maxIdle"] == nil {
		t.Errorf("config.data.db.maxIdle lost in the merge")
	}
	if o := a.Origin(fieldpath.MustParse("middleware[0]")); o.Layer != LayerOverlay || o.Pos.Line != 8 {
		t.Errorf("middleware[0] origin = %+v, want the overlay's element (line 8)", o)
	}
	if o := a.Origin(fieldpath.MustParse("middleware[1]")); o.Layer != LayerSchema {
		t.Errorf("element provenance of a replaced list survived: %+v", o)
	}
}

func TestOverlayIntroducingAStructGetsItsDefaults(t *testing.T) {
	m := mustLoad(t, map[string]string{
		"govctl.cue": testPlatform,
		"svc.cue": `package platform
services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v1", env: prod: resilience: circuitBreaker: minRequests: 200}
`,
	})
	prod, _ := m.Resolve("prod")
	dev, _ := m.Resolve("dev")
	cb := prod.Services["a"].Resilience.CircuitBreaker
	if cb == nil || cb.MinRequests != 200 || cb.Interval != "60s" || cb.ErrorThreshold != 0.05 {
		t.Fatalf("prod breaker = %+v, want minRequests 200 with schema defaults", cb)
	}
	if dev.Services["a"].Resilience.CircuitBreaker != nil {
		t.Errorf("dev got a breaker it never declared")
	}
}

func TestErrorsNameUserFilesAndListEveryMistake(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"govctl.cue": testPlatform,
		"a.cue":      "package platform\nservices: a: {owner: \"team-a\", image: \"ghcr.io/x/a\", version: \"v1\", timeout: \"soon\"}\n",
		"b.cue":      "package platform\nservices: b: {owner: \"team-b\", image: \"ghcr.io/x/b\", version: \"v1\", replicas: -1}\n",
	})
	_, err := Load(context.Background(), dir)
	var list *diag.List
	if !errors.As(err, &list) {
		t.Fatalf("err = %v, want *diag.List", err)
	}
	if list.Len() != 2 {
		t.Fatalf("got %d errors, want 2:\n%v", list.Len(), err)
	}
	for _, e := range list.Diags {
		if strings.Contains(e.Pos.File, "zz_govctl_schema") || !e.Pos.IsValid() {
			t.Errorf("error not at a user position: %v", e)
		}
	}
	if list.Diags[0].Pos.File != "a.cue" || list.Diags[1].Pos.File != "b.cue" {
		t.Errorf("errors not sorted by file: %v", err)
	}
}

// TestConflictsInConfigDataDoNotQuoteValues: config data holds passwords,
// and a spec that does not load is reported before anything knows which
// keys are secrets, so the message names both places and no value.
func TestConflictsInConfigDataDoNotQuoteValues(t *testing.T) {
	svc := "package platform\nservices: a: {owner: \"team-a\", image: \"ghcr.io/x/a\", version: \"v1\"}\n"
	for _, other := range []string{`"Other-Secret-77"`, `4217001`} {
		dir := writeSpec(t, map[string]string{
			"govctl.cue": testPlatform,
			"a.cue":      svc + "services: a: config: data: db: password: \"Hunter2-Sup3r\"\n",
			"b.cue":      "package platform\nservices: a: env: prod: config: data: db: password: \"x\"\nservices: a: config: data: db: password: " + other + "\n",
		})
		_, err := Load(context.Background(), dir)
		if err == nil {
			t.Fatal("a conflict loaded")
		}
		msg := err.Error()
		for _, leak := range []string{"Hunter2", "Other-Secret", "4217001"} {
			if strings.Contains(msg, leak) {
				t.Errorf("error quotes %q: %s", leak, msg)
			}
		}
		if !strings.Contains(msg, "services.a.config.data.db.password: ") || !strings.Contains(msg, "not shown, as config data may hold secrets") ||
			!strings.Contains(msg, "a.cue:3:") || !strings.Contains(msg, "b.cue:3:") {
			t.Errorf("error does not name the field and both places: %s", msg)
		}
	}
	// Outside config data, values are quoted as CUE gives them.
	dir := writeSpec(t, map[string]string{
		"govctl.cue": testPlatform,
		"a.cue":      svc + "services: a: owner: \"team-b\"\n",
	})
	if _, err := Load(context.Background(), dir); err == nil || !strings.Contains(err.Error(), `"team-b"`) {
		t.Errorf("a conflict outside config data lost its values: %v", err)
	}
}

func TestLoadRejectsWhatIsNotASpecDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f.cue")
	os.WriteFile(file, []byte("package platform\n"), 0o644)
	for name, dir := range map[string]string{
		"missing": filepath.Join(t.TempDir(), "nope"),
		"file":    file,
		"empty":   t.TempDir(),
	} {
		if _, err := Load(context.Background(), dir); err == nil {
			t.Errorf("%s: Load succeeded", name)
		}
	}
}

func TestGeneratedSchemaCopyIsSkipped(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"govctl.cue": testPlatform,
		"schema.cue": string(Source("platform")),
	})
	m, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if f == "schema.cue" {
			t.Errorf("generated schema loaded as a spec file")
		}
	}
}

func TestExplainListsOverlayValueWithItsPosition(t *testing.T) {
	m, err := Load(context.Background(), "../examples/shop")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := m.Explain("orders", "prod")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range lines {
		if l.Path.String() == "replicas" {
			found = true
			if l.Value != "6" || l.Origin.Layer != LayerOverlay || l.Origin.Pos.File != "services/orders.cue" {
				t.Errorf("replicas = %+v, want 6 from the prod overlay in services/orders.cue", l)
			}
		}
	}
	if !found {
		t.Error("explain has no replicas line")
	}
}

func TestListElementsKeepTheirOwnPositions(t *testing.T) {
	m := mustLoad(t, map[string]string{
		"govctl.cue": testPlatform,
		"svc.cue": `package platform
services: a: {
	owner: "team-a", image: "ghcr.io/x/a", version: "v1"
	exceptions: [
		{rule: "GOV-RES-003", reason: "a reason long enough", expires: "2030-01-01"},
		{rule: "GOV-MW-001", reason: "another long reason", expires: "2030-01-01"},
	]
}
`,
	})
	for path, line := range map[string]int{
		"services.a.exceptions[0]":      5,
		"services.a.exceptions[1]":      6,
		"services.a.exceptions[1].rule": 6,
	} {
		p, ok := m.PosOf(fieldpath.MustParse(path))
		if !ok || p.Line != line {
			t.Errorf("PosOf(%s) = %v, want line %d", path, p, line)
		}
	}
}

func TestResolvedListElementsKeepTheirOwnPositions(t *testing.T) {
	m := mustLoad(t, map[string]string{
		"govctl.cue": testPlatform,
		"svc.cue": `package platform
services: a: {
	owner: "team-a", image: "ghcr.io/x/a", version: "v1"
	exposure: {public: true, hosts: [
		"a.example.com",
		"b.example.com",
	]}
	env: prod: exposure: hosts: ["p.example.com", "q.example.com"]
}
`,
	})
	for _, tc := range []struct {
		env, path string
		line, col int
	}{
		{"dev", "exposure.hosts[0]", 5, 3},
		{"dev", "exposure.hosts[1]", 6, 3},
		{"prod", "exposure.hosts[1]", 8, 48},
	} {
		r, err := m.Resolve(tc.env)
		if err != nil {
			t.Fatal(err)
		}
		p := r.Services["a"].PosOf(fieldpath.MustParse(tc.path))
		if p.File != "svc.cue" || p.Line != tc.line || p.Column != tc.col {
			t.Errorf("%s: PosOf(%s) = %v, want svc.cue:%d:%d", tc.env, tc.path, p, tc.line, tc.col)
		}
		mp, ok := m.PosOf(fieldpath.MustParse("services.a." + tc.path))
		if tc.env == "dev" && (!ok || mp != p) {
			t.Errorf("model PosOf(services.a.%s) = %v, want %v", tc.path, mp, p)
		}
	}
}
