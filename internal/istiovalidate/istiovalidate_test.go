package istiovalidate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestValidObjectsOfEveryKindPass(t *testing.T) {
	t.Parallel()
	r := ExpectValid(t, "testdata/valid")
	if r.ExitCode != 0 || r.Invalid != 0 || r.Skipped != 0 {
		t.Errorf("exit code %d, %d invalid, %d skipped; want 0, 0, 0\n%s", r.ExitCode, r.Invalid, r.Skipped, r.Output)
	}
	// Guard against fixtures that are silently not read: every kind govctl
	// renders must have been validated.
	for _, kind := range []string{
		"VirtualService", "DestinationRule", "PeerAuthentication",
		"AuthorizationPolicy", "EnvoyFilter", "Sidecar", "Telemetry",
	} {
		found := slices.ContainsFunc(r.Objects, func(o Object) bool { return o.Kind == kind && o.Valid() })
		if !found {
			t.Errorf("no valid %s among the validated objects:\n%s", kind, r.Output)
		}
	}
}

func TestOlderAPIVersionsAreValidated(t *testing.T) {
	t.Parallel()
	r := ExpectValid(t, "testdata/valid/older-versions.yaml")
	want := []string{
		"testdata/valid/older-versions.yaml:1 VirtualService/shop-dev/payments",
		"testdata/valid/older-versions.yaml:2 DestinationRule/shop-dev/payments",
		"testdata/valid/older-versions.yaml:3 PeerAuthentication/shop-dev/default",
		"testdata/valid/older-versions.yaml:4 Telemetry/shop-dev/shop-dev",
	}
	if got := objectNames(r); !slices.Equal(got, want) {
		t.Errorf("objects:\n got %q\nwant %q", got, want)
	}
}

func TestWarningsAreReportedApartFromErrors(t *testing.T) {
	t.Parallel()
	r := Run(t, "testdata/valid/envoyfilter.yaml")
	o, ok := r.Find("EnvoyFilter", "shop-prod", "orders-local-ratelimit")
	if !ok {
		t.Fatalf("EnvoyFilter not in the output:\n%s", r.Output)
	}
	if !o.Valid() || r.ExitCode != 0 {
		t.Errorf("EnvoyFilter should be valid with a warning; errors %q, exit code %d", o.Errors(), r.ExitCode)
	}
	if !containsFragment(o.Warnings(), "EnvoyFilter exposes internal implementation details") {
		t.Errorf("warnings %q lack Istio's EnvoyFilter warning", o.Warnings())
	}
}

func TestBrokenObjectsFailWithIstiosMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, kind, name, fragment string
	}{
		{"vs-bad-timeout.yaml", "VirtualService", "bad-timeout", `bad Duration: time: unknown unit "x" in duration "5x"`},
		{"vs-unknown-field.yaml", "VirtualService", "unknown-field", `unknown field "retry" in istio.networking.v1alpha3.HTTPRoute`},
		{"vs-zero-weights.yaml", "VirtualService", "zero-weights", "total destination weight = 0"},
		{"vs-negative-weight.yaml", "VirtualService", "negative-weight", "weight -10 < 0"},
		{"vs-unknown-version.yaml", "VirtualService", "unknown-version", `unknown version "v2" of Istio kind VirtualService`},
		{"dr-max-ejection-percent.yaml", "DestinationRule", "max-ejection-percent", "percentage 150 is not in range 0..100"},
		{"dr-unknown-top-level-field.yaml", "DestinationRule", "unknown-top-level-field", `unknown field "trafficPolicy"`},
		{"pa-bad-mode.yaml", "PeerAuthentication", "bad-mode", `unknown value "\"STRICTEST\"" for enum`},
		{"ap-bad-action.yaml", "AuthorizationPolicy", "bad-action", `unknown value "\"PERMIT\"" for enum istio.security.v1beta1.AuthorizationPolicy.Action`},
		{"ap-empty-principal.yaml", "AuthorizationPolicy", "empty-principal", "empty value not allowed, found in Principals"},
		{"ap-principal-and-service-account.yaml", "AuthorizationPolicy", "principal-and-service-account", "cannot set serviceAccounts with namespaces or principals"},
		{"ap-deny-without-rules.yaml", "AuthorizationPolicy", "deny-without-rules", "DENY action without `rules` is meaningless"},
		{"sidecar-host-without-namespace.yaml", "Sidecar", "host-without-namespace", "host must be of form namespace/dnsName"},
		{"telemetry-sampling-over-100.yaml", "Telemetry", "sampling-over-100", "randomSamplingPercentage must be in range [0.0, 100.0]"},
		{"envoyfilter-unknown-type.yaml", "EnvoyFilter", "unknown-type", "could not resolve Any message type"},
		{"unknown-kind.yaml", "TrafficSplit", "unknown-kind", `unknown Istio kind "TrafficSplit" in apiVersion "networking.istio.io/v1"`},
	}

	// One run for the whole directory: the validator starts once.
	r := Run(t, "testdata/invalid")
	if r.ExitCode != 1 {
		t.Errorf("exit code %d, want 1", r.ExitCode)
	}
	if r.Invalid != len(tests) || r.Valid != 0 || len(r.Objects) != len(tests) {
		t.Errorf("%d objects, %d invalid, %d valid; want %d invalid of %d, so that every fixture has a case here:\n%s",
			len(r.Objects), r.Invalid, r.Valid, len(tests), len(tests), r.Output)
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".yaml"), func(t *testing.T) {
			o, ok := r.Find(tt.kind, "shop-prod", tt.name)
			if !ok {
				t.Fatalf("%s/shop-prod/%s not in the output:\n%s", tt.kind, tt.name, r.Output)
			}
			if want := filepath.Join("testdata", "invalid", tt.file); o.File != want || o.Document != 1 {
				t.Errorf("reported at %s:%d, want %s:1", o.File, o.Document, want)
			}
			if o.Valid() {
				t.Fatalf("%s passed validation", o)
			}
			if !containsFragment(o.Errors(), tt.fragment) {
				t.Errorf("errors %q do not mention %q", o.Errors(), tt.fragment)
			}
		})
	}
}

// Istio takes route weights as proportions (weight / sum of weights), so a
// sum other than 100 is valid to Istio: govctl must check that itself if it
// wants canary steps to add up.
func TestIstioAcceptsWeightsThatDoNotSumTo100(t *testing.T) {
	t.Parallel()
	r := RunYAML(t, []byte(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: orders, namespace: shop-prod}
spec:
  hosts: [orders]
  http:
  - route:
    - destination: {host: orders, subset: stable}
      weight: 30
    - destination: {host: orders, subset: canary}
      weight: 30
`))
	o, ok := r.Find("VirtualService", "shop-prod", "orders")
	if !ok || !o.Valid() || o.File != "-" || o.Document != 1 {
		t.Errorf("want -:1 VirtualService/shop-prod/orders valid, got:\n%s", r.Output)
	}
}

// Istio checks only that principals are not empty; their form is not
// checked, so a SPIFFE URI (which AuthorizationPolicy does not match) passes.
func TestIstioDoesNotCheckThePrincipalFormat(t *testing.T) {
	t.Parallel()
	r := RunYAML(t, []byte(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payments, namespace: shop-prod}
spec:
  rules:
  - from:
    - source:
        principals: ["spiffe://cluster.local/ns/shop-prod/sa/orders"]
`))
	if o, ok := r.Find("AuthorizationPolicy", "shop-prod", "payments"); !ok || !o.Valid() {
		t.Errorf("want the AuthorizationPolicy valid, got:\n%s", r.Output)
	}
}

// Inside an EnvoyFilter patch, Istio rejects an unknown type but only warns
// about an unknown field, in case its Envoy protos are older than the proxy's.
func TestEnvoyFilterUnknownFieldIsOnlyAWarning(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/valid/envoyfilter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	misspelt := strings.Replace(string(data), "token_bucket:", "token_bukket:", 1)
	if misspelt == string(data) {
		t.Fatal("fixture has no token_bucket field to misspell")
	}
	r := RunYAML(t, []byte(misspelt))
	o, ok := r.Find("EnvoyFilter", "shop-prod", "orders-local-ratelimit")
	if !ok {
		t.Fatalf("EnvoyFilter not in the output:\n%s", r.Output)
	}
	if !o.Valid() || !containsFragment(o.Warnings(), `unknown field "token_bukket"`) {
		t.Errorf("want valid with an unknown-field warning, got:\n%s", r.Output)
	}
}

func TestNonIstioDocumentsAreSkippedNotPassed(t *testing.T) {
	t.Parallel()
	r := Run(t, "testdata/skipped")
	if r.ExitCode != 0 || r.Valid != 0 || r.Invalid != 0 || r.Skipped != 2 {
		t.Errorf("exit code %d, %d valid, %d invalid, %d skipped; want 0, 0, 0, 2\n%s",
			r.ExitCode, r.Valid, r.Invalid, r.Skipped, r.Output)
	}
	for _, o := range r.Objects {
		if !o.Skipped() || o.Valid() {
			t.Errorf("%s: want skipped and not valid, got %+v", o, o.Findings)
		}
	}
}

func TestDocumentsAndListItemsAreNumbered(t *testing.T) {
	t.Parallel()
	r := Run(t, "testdata/multi/mixed.yaml")
	const f = "testdata/multi/mixed.yaml"
	want := []string{
		f + ":1 VirtualService/shop-dev/orders",
		f + ":2 DestinationRule/shop-dev/orders",
		f + ":2 DestinationRule/shop-dev/payments",
		f + ":3 ConfigMap/shop-dev/orders",
	}
	if got := objectNames(r); !slices.Equal(got, want) {
		t.Fatalf("objects:\n got %q\nwant %q\n%s", got, want, r.Output)
	}
	if r.Valid != 2 || r.Invalid != 1 || r.Skipped != 1 || r.ExitCode != 1 {
		t.Errorf("%d valid, %d invalid, %d skipped, exit code %d; want 2, 1, 1, 1", r.Valid, r.Invalid, r.Skipped, r.ExitCode)
	}
	if errs := r.Objects[2].Errors(); !containsFragment(errs, "percentage 101 is not in range 0..100") {
		t.Errorf("List item errors %q lack the maxEjectionPercent error", errs)
	}
}

func TestMissingFileIsAnError(t *testing.T) {
	t.Parallel()
	r := Run(t, "testdata/no-such-file.yaml")
	if r.ExitCode != 1 || len(r.Objects) != 1 || r.Objects[0].Document != 0 ||
		!containsFragment(r.Objects[0].Errors(), "cannot stat") {
		t.Errorf("want one file-level error and exit code 1, got exit code %d:\n%s", r.ExitCode, r.Output)
	}
}

func TestExpectValidReportsErrorsAndSkippedDocuments(t *testing.T) {
	t.Parallel()
	rec := &recordingTB{TB: t}
	ExpectValid(rec, "testdata/multi/mixed.yaml")
	want := []string{
		"testdata/multi/mixed.yaml:2 DestinationRule/shop-dev/payments: Istio rejects it: percentage 101 is not in range 0..100",
		"testdata/multi/mixed.yaml:3 ConfigMap/shop-dev/orders: not validated: v1 ConfigMap is not a kind Istio validates",
	}
	if !slices.Equal(rec.errors, want) {
		t.Errorf("ExpectValid reported\n %q\nwant\n %q", rec.errors, want)
	}
}

// recordingTB records Errorf calls instead of failing the test.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestParseOutput(t *testing.T) {
	out := `a.yaml:1 VirtualService/ns/vs: ok
a.yaml:2 DestinationRule/ns/dr: error: first
a.yaml:2 DestinationRule/ns/dr: warning: second
dir with space/b.yaml:1 //: skipped: not a Kubernetes object
c.yaml:0 //: error: cannot read
1 objects valid, 1 invalid, 1 skipped
`
	r, err := parseOutput(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []Object{
		{File: "a.yaml", Document: 1, Kind: "VirtualService", Namespace: "ns", Name: "vs"},
		{File: "a.yaml", Document: 2, Kind: "DestinationRule", Namespace: "ns", Name: "dr", Findings: []Finding{
			{SeverityError, "first"}, {SeverityWarning, "second"},
		}},
		{File: "dir with space/b.yaml", Document: 1, Findings: []Finding{{SeveritySkipped, "not a Kubernetes object"}}},
		{File: "c.yaml", Document: 0, Findings: []Finding{{SeverityError, "cannot read"}}},
	}
	if fmt.Sprint(r.Objects) != fmt.Sprint(want) {
		t.Errorf("objects:\n got %+v\nwant %+v", r.Objects, want)
	}

	for name, bad := range map[string]string{
		"summary disagrees": "a.yaml:1 VirtualService/ns/vs: ok\n0 objects valid, 1 invalid\n",
		"no summary":        "a.yaml:1 VirtualService/ns/vs: ok\n",
		"stray line":        "panic: boom\n0 objects valid, 0 invalid\n",
		"after summary":     "0 objects valid, 0 invalid\nmore\n",
	} {
		if _, err := parseOutput(bad); err == nil {
			t.Errorf("%s: parseOutput(%q) succeeded, want an error", name, bad)
		}
	}
}

func TestFindRepoRootSkipsTheToolsOwnModule(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := findRepoRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "go.mod")); goModModule(got) != modulePath {
		t.Errorf("root %s has the go.mod of %q", root, goModModule(got))
	}
	fromTool, err := findRepoRoot(filepath.Join(root, filepath.FromSlash(toolDir)))
	if err != nil || fromTool != root {
		t.Errorf("from %s: got %q, %v; want %s", toolDir, fromTool, err, root)
	}
	if got, err := findRepoRoot(t.TempDir()); err == nil {
		t.Errorf("outside the repository: got %s, want an error", got)
	}
}

func TestGoModModule(t *testing.T) {
	for data, want := range map[string]string{
		"module github.com/govctl/govctl\n\ngo 1.26.0\n":    "github.com/govctl/govctl",
		"// comment\nmodule \"github.com/govctl/govctl\"\n": "github.com/govctl/govctl",
		"module github.com/govctl/govctl/tools/x // tool\n": "github.com/govctl/govctl/tools/x",
		"go 1.26.0\n": "",
	} {
		if got := goModModule([]byte(data)); got != want {
			t.Errorf("goModModule(%q) = %q, want %q", data, got, want)
		}
	}
}

// A test must fail, not skip, where the go command is missing.
func TestBuildWithoutGoFails(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := buildTool(t.TempDir(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "go command") {
		t.Errorf("buildTool without go: %v, want an error naming the go command", err)
	}
}

// Parallel builds into one cache must produce one binary, renamed into
// place whole. This test costs one link of the tool (about 10 s on two
// cores once the Go build cache holds Istio's packages), so -short skips it;
// it checks the cache, not Istio's validation, which -short never skips.
func TestConcurrentBuildsShareOneBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips relinking the validator into a fresh cache")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := findRepoRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, filepath.FromSlash(toolDir))
	cache := t.TempDir()

	const builders = 3
	bins := make([]string, builders)
	errs := make([]error, builders)
	var wg sync.WaitGroup
	for i := range builders {
		wg.Go(func() { bins[i], errs[i] = buildTool(dir, cache) })
	}
	wg.Wait()
	for i := range builders {
		if errs[i] != nil {
			t.Fatalf("builder %d: %v", i, errs[i])
		}
		if bins[i] != bins[0] {
			t.Errorf("builder %d got %s, builder 0 got %s", i, bins[i], bins[0])
		}
	}
	entries, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			names = append(names, e.Name())
		}
	}
	if len(names) != 1 || filepath.Join(cache, names[0]) != bins[0] {
		t.Errorf("cache holds %q, want only %s", names, filepath.Base(bins[0]))
	}
}

func objectNames(r Result) []string {
	var names []string
	for _, o := range r.Objects {
		names = append(names, o.String())
	}
	return names
}

func containsFragment(messages []string, fragment string) bool {
	return slices.ContainsFunc(messages, func(m string) bool { return strings.Contains(m, fragment) })
}
