package targets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"

	"github.com/govctl/govctl/internal/istiovalidate"
	"github.com/govctl/govctl/internal/testgen"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// variation is a service added to a generated platform, with the values
// most likely to be accepted by the schema and refused by a target: the
// fuzzer varies them, the seeds hold the holes found by hand.
type variation struct {
	owner, host, timeout string
	rps, burst, attempts int
	perTryTimeout        string
	retryOn              string
	canarySteps          int
	canaryInterval       string
	rollout              bool
}

// specFiles is a generated platform of n services (seed), with its
// environments replaced by ones whose prod canary has v.canarySteps steps
// of v.canaryInterval, and the service "varied" of v calling the first
// generated service. Strings are written as JSON strings, which CUE reads.
func specFiles(seed int64, n int, v *variation) (map[string][]byte, error) {
	files, err := testgen.Generate(testgen.Options{Services: n, Seed: seed, Name: "prop"})
	if err != nil {
		return nil, err
	}
	if v == nil {
		return files, nil
	}
	var callee string
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.HasPrefix(name, "services/") {
			callee = strings.TrimSuffix(path.Base(name), ".cue")
			break
		}
	}
	q := func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	}
	steps := make([]string, v.canarySteps)
	for i := range steps {
		steps[i] = fmt.Sprint((100*(i+1) + v.canarySteps - 1) / v.canarySteps)
	}
	files["environments/environments.cue"] = []byte(fmt.Sprintf(`package platform

environments: {
	dev: {tier: "dev", autoDeploy: true, smokeTest: "make smoke", mtls: "PERMISSIVE", defaults: {replicas: 1}}
	staging: {tier: "staging", approvals: 1, reviewers: ["carol"], mirror: {percent: 10}}
	prod: {tier: "prod", approvals: 2, reviewers: ["alice", "bob"]
		canary: {steps: [%s], interval: %s, maxErrorRate: 0.005}}
}
`, strings.Join(steps, ", "), q(v.canaryInterval)))
	stable := ""
	if v.rollout {
		stable = `traffic: stableVersion: "v1.0.0"`
	}
	files["services/varied.cue"] = []byte(fmt.Sprintf(`package platform

services: varied: {
	owner:   %s
	image:   "ghcr.io/acme/varied"
	version: "v1.1.0"
	timeout: %s
	%s
	exposure: {public: true, hosts: [%s]}
	resilience: rateLimit: {rps: %d, burst: %d}
	dependencies: %s: {timeout: "2s", retries: {attempts: %d, perTryTimeout: %s, retryOn: %s}}
}
`, q(v.owner), q(v.timeout), stable, q(v.host), v.rps, v.burst, q(callee), v.attempts, q(v.perTryTimeout), q(v.retryOn)))
	return files, nil
}

// checkValidateImpliesRender is the promise behind "valid": whatever
// validate accepts, render writes, Istio's own validation accepts every
// Istio object and actionlint every workflow. A spec validate rejects must
// be rejected by render too (they are one function; this keeps it so).
//
// It returns what rejected the spec: "schema" (the load), "validate" (a
// renderer), or "" when it was accepted and checked.
func checkValidateImpliesRender(t *testing.T, files map[string][]byte) (rejectedBy string) {
	ctx := context.Background()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, "spec", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := schema.Load(ctx, filepath.Join(dir, "spec"))
	if err != nil {
		t.Logf("the schema rejects it: %v", err)
		return "schema" // nothing is promised
	}
	envs := m.EnvironmentNames()
	opts := Options{}
	opts.GitHub.SpecDir = "spec"
	verr := Validate(ctx, m, envs, opts)
	objs, rerr := Render(ctx, m, envs, opts)
	var werr error
	if rerr == nil {
		_, werr = render.Write(ctx, filepath.Join(dir, "out"), objs, render.WriteOptions{})
	}
	if verr != nil {
		if rerr == nil && werr == nil {
			t.Fatalf("validate rejects what render writes: %v", verr)
		}
		t.Logf("validate rejects it: %v", verr)
		return "validate"
	}
	if rerr != nil || werr != nil {
		t.Fatalf("validate accepts what render rejects: render: %v, write: %v", rerr, werr)
	}

	files2, err := render.EncodeObjects(objs)
	if err != nil {
		t.Fatal(err)
	}
	istioDir := filepath.Join(dir, "istio")
	nIstio := 0
	var out bytes.Buffer
	linter, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files2 {
		switch f.Target {
		case render.TargetIstio:
			nIstio++
			writeFile(t, istioDir, f)
		case render.TargetGitHub:
			errs, err := linter.Lint(f.Path, f.Data, nil)
			if err != nil {
				t.Fatalf("actionlint %s: %v", f.Path, err)
			}
			for _, e := range errs {
				t.Errorf("validate accepts a spec whose %s actionlint rejects: %s", f.Path, e)
			}
		}
	}
	if nIstio == 0 {
		t.Fatal("no Istio objects rendered")
	}
	res := istiovalidate.Run(t, istioDir)
	for _, o := range res.Objects {
		for _, e := range o.Errors() {
			t.Errorf("validate accepts a spec whose %s Istio rejects: %s", o, e)
		}
	}
	if res.ExitCode != 0 && !t.Failed() {
		t.Errorf("istio-validate failed:\n%s", res.Output)
	}
	return ""
}

// seedVariations are the holes found by trying govctl as a user: each was
// accepted by validate and rejected by render or by Istio, and must now be
// either rejected by validate or rendered so that the owners accept it.
var seedVariations = []struct {
	variation
	// rejectedBy is what must reject it ("" when it must render and
	// pass the owners' checks).
	rejectedBy string
}{
	{variation{owner: "team-orders", host: "shop.example.com", timeout: "1s", rps: 200, burst: 50, attempts: 2, retryOn: "5xx,reset", perTryTimeout: "300ms", canarySteps: 3, canaryInterval: "5m", rollout: true}, ""},
	{variation{owner: "team-orders", host: "shop.example.com", timeout: "1s", rps: 10000, burst: 1, attempts: 2, retryOn: "5xx,reset", perTryTimeout: "300ms", canarySteps: 3, canaryInterval: "5m"}, "validate"},
	{variation{owner: "team-orders", host: "shop.example.com", timeout: "1s", rps: 200, burst: 50, attempts: 2, retryOn: "5xx,reset", perTryTimeout: "1ns", canarySteps: 3, canaryInterval: "5m"}, "validate"},
	{variation{owner: "team-orders", host: "söcken.example.com", timeout: "1s", rps: 200, burst: 50, attempts: 2, retryOn: "5xx,reset", perTryTimeout: "300ms", canarySteps: 3, canaryInterval: "5m"}, ""},
	{variation{owner: "team-katalög", host: "shop.example.com", timeout: "1s", rps: 200, burst: 50, attempts: 2, retryOn: "5xx,reset", perTryTimeout: "300ms", canarySteps: 3, canaryInterval: "5m"}, "validate"},
	{variation{owner: "team-orders", host: "shop.example.com", timeout: "1s", rps: 200, burst: 50, attempts: 2, retryOn: "5xx,reset", perTryTimeout: "300ms", canarySteps: 16, canaryInterval: "30m", rollout: true}, "validate"},
	{variation{owner: "team-orders", host: "shop.example.com", timeout: "1s", rps: 200, burst: 50, attempts: 0, retryOn: "5xx,reset", perTryTimeout: "2s", canarySteps: 3, canaryInterval: "5m", rollout: true}, ""},
	{variation{owner: "team-orders", host: "*.Shop.example.com", timeout: "1500us", rps: 1, burst: 1, attempts: 10, retryOn: "5xx,reset", perTryTimeout: "100ms", canarySteps: 1, canaryInterval: "1s"}, "validate"},
	{variation{owner: "team-orders", host: "shop.example.com", timeout: "1s", rps: 200, burst: 50, attempts: 2, retryOn: "5xx,timeout", perTryTimeout: "300ms", canarySteps: 3, canaryInterval: "5m"}, "validate"},
}

// TestValidateImpliesRenderAndTheOwnersAccept runs the property over
// generated platforms (three seeds, as generated) and over the seed
// variations; FuzzValidateImpliesRender searches further.
func TestValidateImpliesRenderAndTheOwnersAccept(t *testing.T) {
	for seed := int64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprintf("generated-%d", seed), func(t *testing.T) {
			files, err := specFiles(seed, 4+int(seed), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := checkValidateImpliesRender(t, files); got != "" {
				t.Errorf("a generated platform is rejected by %s", got)
			}
		})
	}
	for i, v := range seedVariations {
		t.Run(fmt.Sprintf("variation-%d", i), func(t *testing.T) {
			files, err := specFiles(int64(i), 3, &v.variation)
			if err != nil {
				t.Fatal(err)
			}
			if got := checkValidateImpliesRender(t, files); got != v.rejectedBy {
				t.Errorf("rejected by %q, want %q", got, v.rejectedBy)
			}
		})
	}
}

// FuzzValidateImpliesRender varies a service of a generated platform and
// its environments' canary; run briefly in .ci/run.
func FuzzValidateImpliesRender(f *testing.F) {
	for i, v := range seedVariations {
		f.Add(int64(i), uint8(3), v.owner, v.host, v.timeout, v.rps, v.burst, v.attempts, v.perTryTimeout, v.retryOn, uint8(v.canarySteps), v.canaryInterval, v.rollout)
	}
	f.Fuzz(func(t *testing.T, seed int64, n uint8, owner, host, timeout string, rps, burst, attempts int, perTry, retryOn string, steps uint8, interval string, rollout bool) {
		v := &variation{owner: owner, host: host, timeout: timeout, rps: rps, burst: burst, attempts: attempts,
			perTryTimeout: perTry, retryOn: retryOn, canarySteps: 1 + int(steps)%40, canaryInterval: interval, rollout: rollout}
		files, err := specFiles(seed, 1+int(n)%3, v)
		if err != nil {
			t.Skip(err)
		}
		checkValidateImpliesRender(t, files)
	})
}
