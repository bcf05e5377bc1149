package github

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden workflows under testdata/golden")

const shopDir = "../../examples/shop"

// shopRenderer renders as `govctl render --dir examples/shop` does from the
// root of this repository.
var shopRenderer = Renderer{SpecDir: "examples/shop"}

var loadShop = sync.OnceValues(func() (*schema.Model, error) {
	return schema.Load(context.Background(), shopDir)
})

func shopModel(t *testing.T) *schema.Model {
	t.Helper()
	m, err := loadShop()
	if err != nil {
		t.Fatalf("load %s: %v", shopDir, err)
	}
	return m
}

func renderShop(t *testing.T) []render.Object {
	t.Helper()
	m := shopModel(t)
	objs, err := shopRenderer.Render(context.Background(), m, m.EnvironmentNames())
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return objs
}

// copyShop copies the example into a temporary directory, applying edits
// (file → old → new), so a test can load a variant of it.
func copyShop(t *testing.T, edits map[string][2]string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(shopDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(shopDir, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if e, ok := edits[filepath.ToSlash(rel)]; ok {
			if !bytes.Contains(data, []byte(e[0])) {
				t.Fatalf("%s does not contain %q", rel, e[0])
			}
			data = bytes.Replace(data, []byte(e[0]), []byte(e[1]), 1)
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func renderVariant(t *testing.T, r Renderer, edits map[string][2]string) ([]render.Object, error) {
	t.Helper()
	m, err := schema.Load(context.Background(), copyShop(t, edits))
	if err != nil {
		t.Fatalf("load variant: %v", err)
	}
	return r.Render(context.Background(), m, m.EnvironmentNames())
}

// parsedWorkflow is the part of a workflow the tests read.
type parsedWorkflow struct {
	Name        string               `yaml:"name"`
	On          map[string]any       `yaml:"on"`
	Permissions map[string]string    `yaml:"permissions"`
	Jobs        map[string]parsedJob `yaml:"jobs"`
	// jobOrder is the order the jobs are written in.
	jobOrder []string
	raw      map[string]any
}

type parsedJob struct {
	Name        string                `yaml:"name"`
	Needs       string                `yaml:"needs"`
	If          string                `yaml:"if"`
	Environment struct{ Name string } `yaml:"environment"`
	Concurrency struct {
		Group            string `yaml:"group"`
		CancelInProgress bool   `yaml:"cancel-in-progress"`
	} `yaml:"concurrency"`
	Permissions    map[string]string `yaml:"permissions"`
	Env            map[string]string `yaml:"env"`
	TimeoutMinutes int               `yaml:"timeout-minutes"`
	Steps          []parsedStep      `yaml:"steps"`
}

type parsedStep struct {
	Name string            `yaml:"name"`
	ID   string            `yaml:"id"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
	With map[string]any    `yaml:"with"`
}

func (j parsedJob) stepNames() []string {
	var names []string
	for _, s := range j.Steps {
		names = append(names, s.Name)
	}
	return names
}

func (j parsedJob) step(t *testing.T, name string) parsedStep {
	t.Helper()
	for _, s := range j.Steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("job %q has no step %q; steps: %q", j.Name, name, j.stepNames())
	return parsedStep{}
}

func parseWorkflow(t *testing.T, objs []render.Object, p string) parsedWorkflow {
	t.Helper()
	for _, o := range objs {
		if o.Path != p {
			continue
		}
		var w parsedWorkflow
		if err := yaml.Unmarshal(o.Raw, &w); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := yaml.Unmarshal(o.Raw, &w.raw); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(o.Raw, &doc); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		root := doc.Content[0]
		for i := 0; i < len(root.Content); i += 2 {
			if root.Content[i].Value == "jobs" {
				jobs := root.Content[i+1]
				for k := 0; k < len(jobs.Content); k += 2 {
					w.jobOrder = append(w.jobOrder, jobs.Content[k].Value)
				}
			}
		}
		return w
	}
	t.Fatalf("no object at %s", p)
	return parsedWorkflow{}
}

func TestRenderedWorkflowsMatchGoldenFiles(t *testing.T) {
	objs := renderShop(t)
	var paths []string
	for _, o := range objs {
		paths = append(paths, o.Path)
		golden := filepath.Join("testdata", "golden", path.Base(o.Path))
		if *updateGolden {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, o.Raw, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./render/github -update to create it)", err)
		}
		if !bytes.Equal(o.Raw, want) {
			t.Errorf("%s differs from %s (run go test ./render/github -update and review the diff):\n%s", o.Path, golden, o.Raw)
		}
	}
	want := []string{
		".github/workflows/deploy-gateway.yml",
		".github/workflows/deploy-inventory.yml",
		".github/workflows/deploy-notifications.yml",
		".github/workflows/deploy-orders-lite.yml",
		".github/workflows/deploy-orders.yml",
		".github/workflows/deploy-payments.yml",
		".github/workflows/deploy-users.yml",
		".github/workflows/govctl-plan.yml",
	}
	if !slices.Equal(paths, want) {
		t.Errorf("paths = %q, want %q", paths, want)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	a, b := renderShop(t), renderShop(t)
	if len(a) != len(b) {
		t.Fatalf("%d objects, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Raw, b[i].Raw) {
			t.Errorf("object %d: %s and %s differ between two renders", i, a[i].Path, b[i].Path)
		}
	}
}

func TestObjectsDescribeTheirWorkflow(t *testing.T) {
	for _, o := range renderShop(t) {
		if o.Target != render.TargetGitHub || o.Env != "" || o.ID.Kind != "Workflow" || o.ID.Name != o.Path {
			t.Errorf("%s: target %q env %q id %+v", o.Path, o.Target, o.Env, o.ID)
		}
		header := "# Code generated by govctl from " + o.Source + ". DO NOT EDIT.\n"
		if !bytes.HasPrefix(o.Raw, []byte(header)) {
			t.Errorf("%s does not start with %q", o.Path, header)
		}
		if o.Value == nil {
			t.Errorf("%s: Value is empty; plan diffs workflows through it", o.Path)
		}
	}
	objs := renderShop(t)
	if o := objs[len(objs)-1]; o.Source != "govctl.cue" || o.Service != "" {
		t.Errorf("plan workflow: source %q service %q, want the platform's file", o.Source, o.Service)
	}
	if o := objs[0]; o.Source != "services/gateway.cue" || o.Service != "gateway" {
		t.Errorf("deploy-gateway: source %q service %q", o.Source, o.Service)
	}
}

// TestRenderedWorkflowsPassActionlint lints every workflow with actionlint,
// and its run: scripts with shellcheck when it is installed (CI installs it
// and fails without it).
func TestRenderedWorkflowsPassActionlint(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shellcheck is not on PATH, so run: scripts cannot be checked; CI must install it (apt-get install shellcheck)")
		}
		t.Logf("NOTE: shellcheck is not on PATH: linting workflows with actionlint WITHOUT checking run: scripts; install shellcheck to check them")
		shellcheck = ""
	}
	var out bytes.Buffer
	linter, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Shellcheck: shellcheck})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range renderShop(t) {
		errs, err := linter.Lint(o.Path, o.Raw, nil)
		if err != nil {
			t.Fatalf("actionlint %s: %v", o.Path, err)
		}
		for _, e := range errs {
			t.Errorf("actionlint: %s", e)
		}
	}
	if t.Failed() {
		t.Logf("actionlint output:\n%s", out.String())
	}
}

var usesPinned = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@]+)?@[0-9a-f]{40}$`)

// TestEveryActionIsPinnedToACommitSHA checks every uses: against the lock
// file, with the version in a comment on the same line.
func TestEveryActionIsPinnedToACommitSHA(t *testing.T) {
	pins, err := PinnedActions()
	if err != nil {
		t.Fatal(err)
	}
	byRepo := map[string]PinnedAction{}
	for _, p := range pins {
		byRepo[p.Repository] = p
	}
	used := map[string]bool{}
	usesLine := regexp.MustCompile(`(?m)^\s*(?:- )?uses: (\S+)(.*)$`)
	for _, o := range renderShop(t) {
		w := parseWorkflow(t, []render.Object{o}, o.Path)
		for id, j := range w.Jobs {
			for _, s := range j.Steps {
				if s.Uses == "" {
					continue
				}
				if !usesPinned.MatchString(s.Uses) {
					t.Errorf("%s: job %s: uses %q is not pinned to a full commit SHA", o.Path, id, s.Uses)
					continue
				}
				ref, sha, _ := strings.Cut(s.Uses, "@")
				parts := strings.SplitN(ref, "/", 3)
				repo := parts[0] + "/" + parts[1]
				p, ok := byRepo[repo]
				if !ok || p.SHA != sha {
					t.Errorf("%s: uses %q is not the SHA in actions.lock.yaml", o.Path, s.Uses)
				}
				used[repo] = true
			}
		}
		for _, m := range usesLine.FindAllStringSubmatch(string(o.Raw), -1) {
			ref, _, _ := strings.Cut(m[1], "@")
			parts := strings.SplitN(ref, "/", 3)
			if want := " # " + byRepo[parts[0]+"/"+parts[1]].Version; m[2] != want {
				t.Errorf("%s: `uses: %s` is followed by %q, want the version comment %q", o.Path, m[1], m[2], want)
			}
		}
	}
	for _, p := range pins {
		if !used[p.Repository] {
			t.Errorf("actions.lock.yaml pins %s, which no workflow uses", p.Repository)
		}
	}
}

func TestActionsLockRejectsShortSHAs(t *testing.T) {
	for name, lock := range map[string]string{
		"short sha":   "actions:\n  actions/checkout: {version: v4, sha: 11bd719, source: x}\n",
		"tag as sha":  "actions:\n  actions/checkout: {version: v4, sha: v4.2.2, source: x}\n",
		"no source":   "actions:\n  actions/checkout: {version: v4, sha: 11bd71901bbe5b1630ceea73d27597364c9af683}\n",
		"not a repo":  "actions:\n  checkout: {version: v4, sha: 11bd71901bbe5b1630ceea73d27597364c9af683, source: x}\n",
		"no versions": "actions: {}\n",
	} {
		if _, err := parseActionsLock([]byte(lock)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestEveryJobDeclaresItsPermissions(t *testing.T) {
	for _, o := range renderShop(t) {
		w := parseWorkflow(t, []render.Object{o}, o.Path)
		if perms, ok := w.raw["permissions"].(map[string]any); !ok || len(perms) != 0 {
			t.Errorf("%s: workflow permissions = %v, want {} so that every job asks for what it needs", o.Path, w.raw["permissions"])
		}
		for id := range w.Jobs {
			j := w.raw["jobs"].(map[string]any)[id].(map[string]any)
			if _, ok := j["permissions"]; !ok {
				t.Errorf("%s: job %s declares no permissions", o.Path, id)
			}
		}
	}
}

func TestOnlyTheBuildJobMayWritePackages(t *testing.T) {
	for _, o := range renderShop(t) {
		w := parseWorkflow(t, []render.Object{o}, o.Path)
		for id, j := range w.Jobs {
			if j.Permissions["packages"] != "" && id != "build" {
				t.Errorf("%s: job %s has packages: %s", o.Path, id, j.Permissions["packages"])
			}
			if _, ok := j.Permissions["id-token"]; ok {
				t.Errorf("%s: job %s asks for id-token without a cloud login", o.Path, id)
			}
		}
	}
	w := parseWorkflow(t, renderShop(t), DeployWorkflowPath("orders"))
	if got := w.Jobs["build"].Permissions; got["packages"] != "write" || got["contents"] != "read" || len(got) != 2 {
		t.Errorf("build permissions = %v, want contents: read, packages: write", got)
	}
}

// TestUntrustedInputsGoThroughEnv: no run: script has a ${{ }} expression in
// its text; event values (base ref, fork flag) reach scripts as variables.
func TestUntrustedInputsGoThroughEnv(t *testing.T) {
	for _, o := range renderShop(t) {
		w := parseWorkflow(t, []render.Object{o}, o.Path)
		for id, j := range w.Jobs {
			for _, s := range j.Steps {
				if strings.Contains(s.Run, "${{") {
					t.Errorf("%s: job %s step %q expands an expression into its script: %q", o.Path, id, s.Name, s.Run)
				}
				if strings.Contains(s.Run, "github.event.") {
					t.Errorf("%s: job %s step %q names github.event in its script", o.Path, id, s.Name)
				}
			}
		}
	}
	plan := parseWorkflow(t, renderShop(t), PlanWorkflowPath).Jobs["plan"].step(t, "Plan")
	if plan.Env["BASE_REF"] != "${{ github.base_ref }}" || !strings.Contains(plan.Run, `--base "origin/$BASE_REF"`) {
		t.Errorf("plan step: env %v, run %q; want the base ref passed through $BASE_REF", plan.Env, plan.Run)
	}
}

func TestSmokeTestWithAnExpressionIsRejected(t *testing.T) {
	_, err := renderVariant(t, Renderer{SpecDir: "."}, map[string][2]string{
		"environments/environments.cue": {`smokeTest: "make smoke"`, `smokeTest: "make smoke REF=${{ github.event.pull_request.title }}"`},
	})
	var list *diag.List
	if !errors.As(err, &list) || !strings.Contains(err.Error(), "environments.dev.smokeTest") || !strings.Contains(err.Error(), "environments/environments.cue:") {
		t.Fatalf("err = %v, want a spec error at environments.dev.smokeTest", err)
	}
}

// TestFailingServicesReportTheFirstInOrder: services render concurrently,
// but when several fail the error is the first service's, every time.
func TestFailingServicesReportTheFirstInOrder(t *testing.T) {
	for range 5 {
		_, err := renderVariant(t, Renderer{SpecDir: "."}, map[string][2]string{
			"environments/environments.cue": {`smokeTest: "make smoke"`, `smokeTest: "make smoke REF=${{ github.ref }}"`},
		})
		if err == nil || !strings.HasPrefix(err.Error(), "render github for gateway: ") {
			t.Fatalf("err = %v, want the error of gateway, the first service", err)
		}
	}
}

func TestEnvironmentsAreDeployedInPromotionOrder(t *testing.T) {
	w := parseWorkflow(t, renderShop(t), DeployWorkflowPath("orders"))
	wantOrder := []string{"build", "deploy-dev", "deploy-staging", "approve-prod-approval-2", "deploy-prod"}
	if !slices.Equal(w.jobOrder, wantOrder) {
		t.Errorf("jobs = %q, want %q", w.jobOrder, wantOrder)
	}
	for i, id := range wantOrder[1:] {
		if got := w.Jobs[id].Needs; got != wantOrder[i] {
			t.Errorf("%s needs %q, want %q", id, got, wantOrder[i])
		}
	}
	for env, cancel := range map[string]bool{"dev": true, "staging": false, "prod": false} {
		c := w.Jobs["deploy-"+env].Concurrency
		if c.Group != "deploy-orders-"+env || c.CancelInProgress != cancel {
			t.Errorf("deploy-%s concurrency = %+v, want group deploy-orders-%s, cancel-in-progress %v", env, c, env, cancel)
		}
	}
}

func TestDeployTriggersOnServicePathsAndEverySpecFile(t *testing.T) {
	// The environments, the platform's defaults and the other services'
	// files change what orders deploys as much as its own file does.
	w := parseWorkflow(t, renderShop(t), DeployWorkflowPath("orders"))
	push := w.On["push"].(map[string]any)
	if got := push["branches"]; !slices.Equal(toStrings(got), []string{"main"}) {
		t.Errorf("branches = %v", got)
	}
	if got := toStrings(push["paths"]); !slices.Equal(got, []string{"services/orders/**", "examples/shop/**.cue"}) {
		t.Errorf("paths = %q", got)
	}
	if _, ok := w.On["workflow_dispatch"]; !ok {
		t.Error("no workflow_dispatch trigger")
	}
}

func TestRolloutSummaryNamesTheFileThatHoldsTheVersion(t *testing.T) {
	// The spec is one package: prod's stableVersion for orders may live in
	// a file other than the service's.
	dir := copyShop(t, map[string][2]string{
		"services/orders.cue": {"traffic: stableVersion: \"v1.4.1\"", ""},
	})
	files := map[string]string{
		"environments/prod-stable.cue": "package platform\n\nservices: orders: env: prod: traffic: stableVersion: \"v1.4.1\"\n",
	}
	for name, data := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := schema.Load(context.Background(), dir)
	if err != nil {
		t.Fatalf("load variant: %v", err)
	}
	objs, err := shopRenderer.Render(context.Background(), m, m.EnvironmentNames())
	if err != nil {
		t.Fatal(err)
	}
	w := parseWorkflow(t, objs, DeployWorkflowPath("orders"))
	if got := w.Jobs["deploy-prod"].step(t, "Summary").Env["SPEC_FILE"]; got != "examples/shop/environments/prod-stable.cue" {
		t.Errorf("prod SPEC_FILE = %q, want the file that sets its stableVersion", got)
	}

}

func toStrings(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}

func TestBuildPushesTheImageAtItsVersion(t *testing.T) {
	b := parseWorkflow(t, renderShop(t), DeployWorkflowPath("orders")).Jobs["build"]
	push := b.step(t, "Build and push ghcr.io/acme/orders:v1.4.2")
	if push.With["tags"] != "ghcr.io/acme/orders:v1.4.2" || push.With["push"] != true || push.With["context"] != "services/orders" {
		t.Errorf("build-push with = %v", push.With)
	}
	if b.If != "github.ref == 'refs/heads/main'" {
		t.Errorf("build if = %q; want only the default branch to push the image", b.If)
	}
	if s := b.step(t, "Test"); s.Run != "go test ./..." {
		t.Errorf("test step runs %q", s.Run)
	}
	login := b.step(t, "Log in to ghcr.io")
	if login.With["registry"] != "ghcr.io" || login.With["password"] != "${{ secrets.GITHUB_TOKEN }}" {
		t.Errorf("login with = %v", login.With)
	}
}

func TestDevAutoDeploysAndRunsTheSmokeTest(t *testing.T) {
	dev := parseWorkflow(t, renderShop(t), DeployWorkflowPath("orders")).Jobs["deploy-dev"]
	if dev.If != "" || dev.Environment.Name != "dev" {
		t.Errorf("deploy-dev: if %q, environment %q; want it to run on every push, in environment dev", dev.If, dev.Environment.Name)
	}
	names := dev.stepNames()
	apply := slices.Index(names, "Apply the mesh configuration")
	smoke := slices.Index(names, "Smoke test")
	if apply < 0 || smoke != apply+1 {
		t.Fatalf("steps = %q; want the smoke test right after the mesh is applied", names)
	}
	if s := dev.Steps[smoke]; s.Run != "make smoke" {
		t.Errorf("smoke test runs %q", s.Run)
	}
	if s := dev.Steps[apply]; s.Run != "govctl render --dir examples/shop --env dev --target istio --service orders --stdout | kubectl apply -f -" {
		t.Errorf("apply runs %q", s.Run)
	}
	if slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, "Gate") }) {
		t.Errorf("dev has a metric gate: %q", names)
	}
}

func TestStagingAppliesMirroringAndRunsTheMetricGate(t *testing.T) {
	staging := parseWorkflow(t, renderShop(t), DeployWorkflowPath("orders")).Jobs["deploy-staging"]
	names := staging.stepNames()
	apply := slices.Index(names, "Apply the mesh configuration (mirroring 10% to canary)")
	gate := slices.Index(names, "Gate on the error rate")
	if apply < 0 || gate < apply {
		t.Fatalf("steps = %q; want mirroring applied, then the gate", names)
	}
	if s := staging.Steps[gate]; !strings.Contains(s.Run, `govctl gate --dir examples/shop --service orders --env staging --prometheus "$PROMETHEUS_URL"`) || s.Env["PROMETHEUS_URL"] != "${{ vars.PROMETHEUS_URL }}" {
		t.Errorf("gate step: run %q env %v", s.Run, s.Env)
	}
	if staging.Environment.Name != "staging" || staging.If != "" {
		t.Errorf("staging: environment %q if %q; want it gated by the staging environment's one approval", staging.Environment.Name, staging.If)
	}
	// One approval is GitHub's own rule, verified all the same: a missing
	// environment would be created unprotected.
	if v := staging.step(t, "Verify 1 distinct approval"); v.Run != `govctl approvals verify --run-id "$GITHUB_RUN_ID" --environments staging --want 1` {
		t.Errorf("verify runs %q", v.Run)
	}
	if staging.Permissions["actions"] != "read" {
		t.Errorf("staging permissions = %v, want actions: read to verify its approval", staging.Permissions)
	}
}

func TestProdWalksCanaryStepsInOrder(t *testing.T) {
	prod := parseWorkflow(t, renderShop(t), DeployWorkflowPath("orders")).Jobs["deploy-prod"]
	if prod.Env["WORKLOAD"] != "orders-canary" || prod.Env["VERSION"] != "v1.4.2" {
		t.Errorf("env = %v, want the canary workload at v1.4.2", prod.Env)
	}
	var walk []string
	for _, s := range prod.Steps {
		for _, prefix := range []string{"Shift ", "Hold ", "Gate at "} {
			if strings.HasPrefix(s.Name, prefix) {
				walk = append(walk, s.Name)
			}
		}
	}
	want := []string{
		"Shift 10% of traffic to v1.4.2", "Hold 10% for 5m0s", "Gate at 10% (error rate at most 0.5%)",
		"Shift 30% of traffic to v1.4.2", "Hold 30% for 5m0s", "Gate at 30% (error rate at most 0.5%)",
		"Shift 100% of traffic to v1.4.2", "Hold 100% for 5m0s", "Gate at 100% (error rate at most 0.5%)",
	}
	if !slices.Equal(walk, want) {
		t.Fatalf("canary walk =\n%q\nwant\n%q", walk, want)
	}
	for _, w := range []string{"10", "30", "100"} {
		s := prod.step(t, "Shift "+w+"% of traffic to v1.4.2")
		if s.Run != "govctl render --dir examples/shop --env prod --target istio --service orders --canary-weight "+w+" --stdout | kubectl apply -f -" {
			t.Errorf("shift %s%% runs %q", w, s.Run)
		}
		if h := prod.step(t, "Hold "+w+"% for 5m0s"); h.Run != "sleep 300" {
			t.Errorf("hold runs %q", h.Run)
		}
		if g := prod.step(t, "Gate at "+w+"% (error rate at most 0.5%)"); !strings.Contains(g.Run, `govctl gate --dir examples/shop --service orders --env prod --prometheus "$PROMETHEUS_URL"`) {
			t.Errorf("gate runs %q", g.Run)
		}
	}
	if prod.TimeoutMinutes < 15+30 {
		t.Errorf("timeout-minutes = %d, shorter than the walk's 15 minutes of holds plus slack", prod.TimeoutMinutes)
	}
	rollback := prod.Steps[len(prod.Steps)-1]
	if rollback.Name != "Roll back all traffic to v1.4.1" || !strings.Contains(rollback.Run, "--canary-weight 0 --stdout | kubectl apply -f -") ||
		rollback.If != "(failure() || cancelled()) && steps.revision.outcome == 'success'" {
		t.Errorf("last step = %+v, want the rollback to weight 0 on failure", rollback)
	}
}

func TestNoCanaryWalkWithoutARolloutInProgress(t *testing.T) {
	// gateway has no traffic.stableVersion: nothing to compare a canary with.
	prod := parseWorkflow(t, renderShop(t), DeployWorkflowPath("gateway")).Jobs["deploy-prod"]
	for _, n := range prod.stepNames() {
		if strings.HasPrefix(n, "Shift ") {
			t.Fatalf("gateway walks canary steps: %q", prod.stepNames())
		}
	}
	if prod.Env["WORKLOAD"] != "gateway" {
		t.Errorf("WORKLOAD = %q", prod.Env["WORKLOAD"])
	}
	prod.step(t, "Gate on the error rate")
	rollback := prod.step(t, "Roll back deployment/gateway")
	if !strings.Contains(rollback.Run, `rollout undo "deployment/$WORKLOAD" --to-revision="$REVISION"`) || rollback.Env["REVISION"] != "${{ steps.revision.outputs.revision }}" {
		t.Errorf("rollback = %+v", rollback)
	}
}

func TestMirroredEnvironmentDarkLaunchesTheCanaryWorkload(t *testing.T) {
	// With the rollout in progress everywhere, staging (mirroring to the
	// canary subset) runs both versions, as render/istio routes them; dev,
	// which neither mirrors nor walks steps, runs the new version alone.
	objs, err := renderVariant(t, shopRenderer, map[string][2]string{
		"services/orders.cue": {`version: "v1.4.2"`, `version: "v1.4.2", traffic: stableVersion: "v1.4.1"`},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := parseWorkflow(t, objs, DeployWorkflowPath("orders"))
	for env, want := range map[string]string{"dev": "orders", "staging": "orders-canary", "prod": "orders-canary"} {
		if got := w.Jobs["deploy-"+env].Env["WORKLOAD"]; got != want {
			t.Errorf("%s rolls out %q, want %q", env, got, want)
		}
	}
	staging := w.Jobs["deploy-staging"]
	if slices.ContainsFunc(staging.stepNames(), func(n string) bool { return strings.HasPrefix(n, "Shift ") }) {
		t.Errorf("staging walks canary steps: %q", staging.stepNames())
	}
	staging.step(t, "Roll back deployment/orders-canary")
}

func TestTwoApprovalsComposeTwoGatedJobsAndVerify(t *testing.T) {
	w := parseWorkflow(t, renderShop(t), DeployWorkflowPath("orders"))
	gate := w.Jobs["approve-prod-approval-2"]
	if gate.Environment.Name != "prod-approval-2" || gate.Needs != "deploy-staging" || len(gate.Permissions) != 0 {
		t.Errorf("approval gate: environment %q needs %q permissions %v", gate.Environment.Name, gate.Needs, gate.Permissions)
	}
	prod := w.Jobs["deploy-prod"]
	if prod.Environment.Name != "prod" || prod.Needs != "approve-prod-approval-2" {
		t.Errorf("deploy-prod: environment %q needs %q", prod.Environment.Name, prod.Needs)
	}
	verify := prod.step(t, "Verify 2 distinct approvals")
	if verify.Run != `govctl approvals verify --run-id "$GITHUB_RUN_ID" --environments prod,prod-approval-2 --want 2` ||
		verify.Env["GITHUB_TOKEN"] != "${{ github.token }}" {
		t.Errorf("verify step: run %q env %v", verify.Run, verify.Env)
	}
	if prod.Permissions["actions"] != "read" || prod.Permissions["contents"] != "read" || len(prod.Permissions) != 2 {
		t.Errorf("deploy-prod permissions = %v, want contents: read and actions: read (the run's review history)", prod.Permissions)
	}
	// Nothing touches the cluster before the approvals are verified.
	names := prod.stepNames()
	if v, c := slices.Index(names, verify.Name), slices.Index(names, "Configure cluster credentials"); v > c {
		t.Errorf("steps = %q: credentials are configured before the approvals are verified", names)
	}
}

func TestThreeApprovalsChainThreeEnvironments(t *testing.T) {
	objs, err := renderVariant(t, shopRenderer, map[string][2]string{
		"environments/environments.cue": {`approvals: 2`, `approvals: 3`},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := parseWorkflow(t, objs, DeployWorkflowPath("orders"))
	if w.Jobs["approve-prod-approval-3"].Needs != "approve-prod-approval-2" || w.Jobs["deploy-prod"].Needs != "approve-prod-approval-3" {
		t.Errorf("jobs = %q; want the approval gates chained", w.jobOrder)
	}
	if v := w.Jobs["deploy-prod"].step(t, "Verify 3 distinct approvals"); !strings.Contains(v.Run, "--environments prod,prod-approval-2,prod-approval-3 --want 3") {
		t.Errorf("verify runs %q", v.Run)
	}
}

func TestEnvironmentWithoutAutoDeployOrReviewersWaitsForADispatch(t *testing.T) {
	objs, err := renderVariant(t, shopRenderer, map[string][2]string{
		"environments/environments.cue": {`approvals: 1, reviewers: ["carol"], `, ``},
	})
	if err != nil {
		t.Fatal(err)
	}
	staging := parseWorkflow(t, objs, DeployWorkflowPath("orders")).Jobs["deploy-staging"]
	if staging.If != "github.event_name == 'workflow_dispatch'" {
		t.Errorf("staging without reviewers: if = %q, want it to run only when dispatched", staging.If)
	}
}

func TestPlanWorkflowLintsToCodeScanningAndCommentsThePlan(t *testing.T) {
	w := parseWorkflow(t, renderShop(t), PlanWorkflowPath)
	if _, ok := w.On["pull_request"]; !ok || len(w.On) != 1 {
		t.Errorf("on = %v, want pull_request", w.On)
	}
	lint := w.Jobs["lint"]
	if got := lint.Permissions; got["security-events"] != "write" || got["contents"] != "read" || len(got) != 2 {
		t.Errorf("lint permissions = %v", got)
	}
	if s := lint.step(t, "Lint"); s.Run != "govctl lint --dir examples/shop --format sarif > govctl.sarif" {
		t.Errorf("lint runs %q", s.Run)
	}
	if s := lint.step(t, "Upload findings to code scanning"); !strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") || s.With["sarif_file"] != "govctl.sarif" || !strings.Contains(s.If, "!cancelled()") {
		t.Errorf("upload step = %+v", s)
	}
	plan := w.Jobs["plan"]
	if got := plan.Permissions; got["pull-requests"] != "write" || got["contents"] != "read" || len(got) != 2 {
		t.Errorf("plan permissions = %v", got)
	}
	if s := plan.step(t, "Check out"); s.With["fetch-depth"] != 0 {
		t.Errorf("checkout with = %v, want fetch-depth: 0", s.With)
	}
	run := plan.step(t, "Plan").Run
	for _, want := range []string{"--format markdown", "args+=(--comment)", `govctl plan --dir examples/shop "${args[@]}" | tee -a "$GITHUB_STEP_SUMMARY"`} {
		if !strings.Contains(run, want) {
			t.Errorf("plan script lacks %q:\n%s", want, run)
		}
	}
}

func TestGovctlIsInstalledAtAPinnedVersion(t *testing.T) {
	objs, err := Renderer{SpecDir: ".", GovctlVersion: "v1.2.3"}.Render(context.Background(), shopModel(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		w := parseWorkflow(t, []render.Object{o}, o.Path)
		for id, j := range w.Jobs {
			for _, s := range j.Steps {
				if s.Name == "Install govctl" && s.Run != "go install github.com/govctl/govctl/cmd/govctl@v1.2.3" {
					t.Errorf("%s: %s installs with %q", o.Path, id, s.Run)
				}
				if strings.Contains(s.Run, "--dir") {
					t.Errorf("%s: %s passes --dir for a spec at the repository root: %q", o.Path, id, s.Run)
				}
			}
		}
	}
	for _, v := range []string{"latest", "main", "v1", "1.2.3", "v1.2.3+meta"} {
		if _, err := (Renderer{SpecDir: ".", GovctlVersion: v}).Render(context.Background(), shopModel(t), nil); err == nil || !strings.Contains(err.Error(), "semantic version") {
			t.Errorf("GovctlVersion %q: err = %v, want it rejected", v, err)
		}
	}
}

func TestSpecDirMustBeInsideTheRepository(t *testing.T) {
	// The model was loaded from ../../examples/shop: not a path a workflow
	// running at the repository root can use.
	_, err := Renderer{}.Render(context.Background(), shopModel(t), nil)
	if err == nil || !strings.Contains(err.Error(), "relative to the repository root") {
		t.Errorf("err = %v", err)
	}
	for _, dir := range []string{"/abs/specs", "../specs", "specs dir", "$(id)"} {
		if _, err := (Renderer{SpecDir: dir}).Render(context.Background(), shopModel(t), nil); err == nil {
			t.Errorf("SpecDir %q accepted", dir)
		}
	}
}

func TestPlatformWithoutGitHubRendersNothing(t *testing.T) {
	objs, err := renderVariant(t, shopRenderer, map[string][2]string{
		"govctl.cue": {`github: {repository: "acme/shop"}`, ``},
	})
	if err != nil || len(objs) != 0 {
		t.Errorf("objs = %d, err = %v; want nothing", len(objs), err)
	}
}

func TestUnknownEnvironmentIsAnError(t *testing.T) {
	_, err := shopRenderer.Render(context.Background(), shopModel(t), []string{"prd"})
	if err == nil || !strings.Contains(err.Error(), `unknown environment "prd"`) {
		t.Errorf("err = %v", err)
	}
}

func TestRendererTarget(t *testing.T) {
	var r render.Renderer = Renderer{}
	if r.Target() != render.TargetGitHub {
		t.Errorf("Target() = %q", r.Target())
	}
}

func TestFormatPercent(t *testing.T) {
	for in, want := range map[float64]string{0.005: "0.5%", 0.05: "5%", 0.001: "0.1%", 1: "100%", 0.0025: "0.25%"} {
		if got := formatPercent(in); got != want {
			t.Errorf("formatPercent(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestObjectValueIsTheFileReadBack: plan compares Value with workflows read
// from disk, so it must be what parsing Raw gives.
func TestObjectValueIsTheFileReadBack(t *testing.T) {
	for _, o := range renderShop(t) {
		var want map[string]any
		if err := yaml.Unmarshal(o.Raw, &want); err != nil {
			t.Fatalf("%s: %v", o.Path, err)
		}
		if !reflect.DeepEqual(o.Value, want) {
			t.Errorf("%s: Value differs from the file read back:\n got %#v\nwant %#v", o.Path, o.Value, want)
		}
	}
}

// TestStringsTakenFromNodesReadBackAlike checks the strings plainMapping
// takes from the nodes instead of parsing the file: each must read back as
// itself, whatever the encoder makes of it (plain, quoted, literal block),
// as keys and as values.
func TestStringsTakenFromNodesReadBackAlike(t *testing.T) {
	pieces := []string{"a", "Z", "0", "1", "-", " ", "  ", "\n", "\n\n", "\t", "#", ": ", ":", "'", `"`, `\`,
		"|", ">", "~", "{", "}", "[", "]", ",", "!", "&", "*", "%", "@", "`", "?", ".", "on", "yes", "null", "true",
		"0x1F", "1e3", "${{ x }}", "\r", "\r\n", "é", "\u2028", "\u0085", "\ufeff", "\x00", "\x1b"}
	cases := []string{"", "\n", " \n", "\n ", "a\n", "a\n\n", " a\nb", "a \nb", "a\n \nb", "\ta\nb", "- a", "a: b", "a #b", "x\r\ny"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	taken := 0
	for _, s := range cases {
		doc := newMapping().set("run", s).set("steps", []*mapping{newMapping().set(s, s)})
		obj, err := workflowObject("w.yml", "", "", doc)
		if err != nil {
			// yaml.v3 writes some strings so that they do not parse:
			// only the parser can tell, so they must not have been
			// taken from the nodes.
			if _, ok := plainMapping(doc.node); ok || !strings.Contains(err.Error(), "read back") {
				t.Errorf("%q: %v", s, err)
			}
			continue
		}
		var want map[string]any
		if err := yaml.Unmarshal(obj.Raw, &want); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if !reflect.DeepEqual(obj.Value, want) {
			t.Errorf("%q: Value %#v, but the file reads back as %#v", s, obj.Value, want)
		}
		if _, ok := plainMapping(doc.node); ok {
			taken++
		}
	}
	t.Logf("%d of %d values taken from the nodes", taken, len(cases))
	if taken < len(cases)/4 {
		t.Errorf("only %d of %d values were taken from the nodes", taken, len(cases))
	}
}

// TestCanaryLongerThanAJobMayRunIsAnError: a deploy job walks every canary
// step, and GitHub cancels a job after 6 hours (timeout-minutes above 360
// does not help), so steps × interval beyond 5h30m (plus 30 minutes for the
// rollout) is an error at the environment's canary, never a workflow that
// dies half way with traffic split. 11 steps of 30m is exactly 360 minutes.
func TestCanaryLongerThanAJobMayRunIsAnError(t *testing.T) {
	const from = "canary: {steps: [10, 30, 100], maxErrorRate: 0.005}"
	fits := "canary: {steps: [1, 2, 5, 10, 20, 30, 40, 50, 60, 80, 100], interval: \"30m\", maxErrorRate: 0.005}"
	objs, err := renderVariant(t, shopRenderer, map[string][2]string{"environments/environments.cue": {from, fits}})
	if err != nil {
		t.Fatalf("11 steps of 30m: %v", err)
	}
	if got := parseWorkflow(t, objs, DeployWorkflowPath("orders")).Jobs["deploy-prod"].TimeoutMinutes; got != maxJobMinutes {
		t.Errorf("timeout-minutes = %d, want %d", got, maxJobMinutes)
	}

	long := "canary: {steps: [1, 2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 100], interval: \"30m\", maxErrorRate: 0.005}"
	_, err = renderVariant(t, shopRenderer, map[string][2]string{"environments/environments.cue": {from, long}})
	ds := diag.As(err)
	if len(ds) != 1 {
		t.Fatalf("12 steps of 30m: err = %v, want one diagnostic", err)
	}
	d := ds[0]
	if d.Path.String() != "environments.prod.canary" || !strings.HasSuffix(d.Pos.File, "/environments/environments.cue") || d.Pos.Line != 8 {
		t.Errorf("diagnostic at %s %s, want environments/environments.cue:8 environments.prod.canary", d.Pos, d.Path)
	}
	for _, want := range []string{"12 canary steps holding 30m each take 6h", "timeout-minutes 390", "interval of at most 27m30s"} {
		if !strings.Contains(d.Message, want) {
			t.Errorf("message %q does not say %q", d.Message, want)
		}
	}
}

// TestBuildFollowsTheServicesBuildKind: a Dockerfile build runs no Go
// toolchain; a prebuilt image has no build job, and its first deploy job
// guards the default branch in the build job's place. Both pass
// actionlint.
func TestBuildFollowsTheServicesBuildKind(t *testing.T) {
	objs, err := renderVariant(t, shopRenderer, map[string][2]string{
		"services/users.cue":     {`timeout: "180ms"`, `timeout: "180ms"` + "\n\tbuild: {kind: \"dockerfile\", path: \"users\", dockerfile: \"build/Dockerfile\"}"},
		"services/inventory.cue": {`version:`, `build: kind: "image"` + "\n\tversion:"},
	})
	if err != nil {
		t.Fatal(err)
	}
	users := parseWorkflow(t, objs, DeployWorkflowPath("users"))
	b := users.Jobs["build"]
	for _, s := range b.Steps {
		if strings.Contains(s.Uses, "setup-go") || s.Run == "go test ./..." {
			t.Errorf("dockerfile build runs Go: %+v", s)
		}
	}
	push := b.step(t, "Build and push ghcr.io/acme/users:"+users.Jobs["deploy-dev"].Env["VERSION"])
	if push.With["context"] != "users" || push.With["file"] != "users/build/Dockerfile" {
		t.Errorf("build-push with = %v", push.With)
	}
	inv := parseWorkflow(t, objs, DeployWorkflowPath("inventory"))
	if _, ok := inv.Jobs["build"]; ok {
		t.Errorf("a prebuilt image has a build job")
	}
	first := inv.Jobs[inv.jobOrder[0]]
	if first.Needs != "" || first.If != "github.ref == 'refs/heads/main'" {
		t.Errorf("first job needs %q if %q; want no needs and the default-branch guard", first.Needs, first.If)
	}
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		errs, err := linter.Lint(o.Path, o.Raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			t.Errorf("actionlint: %s", e)
		}
	}
}

func TestDeployAppliesTheRenderedKubernetesObjects(t *testing.T) {
	wf := parseWorkflow(t, renderShop(t), DeployWorkflowPath("orders"))
	step := wf.Jobs["deploy-prod"].step(t, "Roll out ghcr.io/acme/orders:v1.4.2 to deployment/orders-canary")
	if !strings.Contains(step.Run, "--env prod --target kubernetes --service orders --stdout | kubectl apply -f -") || strings.Contains(step.Run, "set image") {
		t.Errorf("roll out runs:\n%s", step.Run)
	}
}
