// Package github renders govctl's GitHub Actions workflows. It is pure; the
// environment protection they rely on is applied by package githubapi.
//
// Renderer writes one deploy workflow per service (build, then one job per
// environment in promotion order: rollout, mesh configuration, smoke test,
// canary steps, metric gate, rollback) and one plan workflow for pull
// requests. githubapi.ApplyEnvironments creates the GitHub environments those
// jobs are gated by; githubapi.VerifyDistinctApprovals is the check behind `govctl approvals
// verify`, which a deploy job runs where an environment asks for more
// approvals than GitHub's environment protection can require by itself.
package github

import (
	"context"
	"fmt"
	"math"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/semver"
	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// Defaults for the Renderer's options.
const (
	// DefaultGovctlVersion is the govctl release the workflows install when
	// Renderer.GovctlVersion is empty. A released govctl passes its own
	// version instead, so that CI runs the govctl that rendered the files.
	DefaultGovctlVersion = "v0.1.0"
	// DefaultGoVersion is the Go that installs govctl (its go.mod needs
	// 1.26). setup-go sets GOTOOLCHAIN=local, so this must be new enough.
	DefaultGoVersion = "1.26"
	// DefaultRunner is the runner label of every job. A fixed image rather
	// than ubuntu-latest, so a runner upgrade is a visible change; it ships
	// kubectl, which the deploy jobs use.
	DefaultRunner = "ubuntu-24.04"
)

// WorkflowDir is where GitHub reads workflows from, relative to the
// repository root and to the output directory.
const WorkflowDir = ".github/workflows"

// PlanWorkflowPath is the path of the pull-request plan workflow.
const PlanWorkflowPath = WorkflowDir + "/govctl-plan.yml"

// DeployWorkflowPath returns the path of service's deploy workflow.
func DeployWorkflowPath(service string) string {
	return WorkflowDir + "/deploy-" + service + ".yml"
}

// govctlPackage is what the workflows `go install`.
const govctlPackage = "github.com/govctl/govctl/cmd/govctl"

// Renderer renders the GitHub Actions target. Its zero value is ready to
// use; the fields tune what the workflows install and where they look.
type Renderer struct {
	// GovctlVersion is the govctl version the workflows install with
	// `go install github.com/govctl/govctl/cmd/govctl@<version>`; a full
	// semantic version ("v1.2.3") or pseudo-version, never a branch or
	// "latest", so CI runs a fixed govctl. DefaultGovctlVersion when empty.
	GovctlVersion string
	// GoVersion is the setup-go version that installs govctl;
	// DefaultGoVersion when empty. A service is built with the Go its own
	// go.mod names.
	GoVersion string
	// SpecDir is the spec directory relative to the repository root, as
	// the workflows pass it to govctl --dir. When empty it is the model's
	// directory, which must then be a relative path inside the working
	// directory (govctl runs at the repository root).
	SpecDir string
	// RunsOn is the runner label of every job; DefaultRunner when empty.
	RunsOn string
}

// Target implements render.Renderer.
func (Renderer) Target() render.Target { return render.TargetGitHub }

// Render implements render.Renderer. It returns one deploy workflow per
// service and the plan workflow, each as an Object whose Raw bytes are the
// file (keys in the order GitHub's documentation uses, and comments: the
// version of each pinned action, what to configure) and whose Value is the
// same workflow as plain data, for plan to diff field by field.
//
// A deploy workflow spans every environment of the model, whatever envs
// names, so that rendering one environment never writes a workflow that
// lacks the others; envs is only checked to name environments. A platform
// without a github block renders nothing.
func (r Renderer) Render(ctx context.Context, m *schema.Model, envs []string) ([]render.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, e := range envs {
		if _, ok := m.Environments[e]; !ok {
			_, err := m.Resolve(e)
			return nil, fmt.Errorf("render github: %w", err)
		}
	}
	if m.Platform.GitHub == nil {
		return nil, nil
	}
	w, err := r.newWorkflows(m)
	if err != nil {
		return nil, fmt.Errorf("render github: %w", err)
	}

	if err := w.checkCanaryLength(); err != nil {
		return nil, err
	}

	objs, err := w.deployObjects(ctx, w.deployed(m))
	if err != nil {
		return nil, err
	}

	doc, err := w.planWorkflow()
	if err != nil {
		return nil, fmt.Errorf("render github plan workflow: %w", err)
	}
	platformPos, _ := m.PosOf(fieldpath.New("platform"))
	obj, err := workflowObject(PlanWorkflowPath, "", platformPos.File, doc)
	if err != nil {
		return nil, fmt.Errorf("render github plan workflow: %w", err)
	}
	objs = append(objs, obj)
	// The order files are written in: by path, as render.EncodeObjects does.
	sort.Slice(objs, func(i, j int) bool { return objs[i].Path < objs[j].Path })
	return objs, nil
}

// deployed returns the services that get a deploy workflow, sorted. With
// nothing to deploy to there are none: a workflow of only a build would
// push images no environment runs. A backing service (database, broker,
// cache) runs a prebuilt image that govctl neither builds nor deploys by
// workflow.
func (w *workflows) deployed(m *schema.Model) []string {
	var services []string
	if len(w.envs) == 0 {
		return nil
	}
	for _, name := range m.ServiceNames() {
		if w.resolved[w.envs[0]].Services[name].IsApp() {
			services = append(services, name)
		}
	}
	return services
}

// deployObjects renders the deploy workflow of each of services, in that
// order. Services are independent and encoding dominates a large
// platform's render, so they are rendered concurrently, each into its own
// slot; when several fail, the error reported is that of the first service
// in order, as a sequential render would report.
func (w *workflows) deployObjects(ctx context.Context, services []string) ([]render.Object, error) {
	objs := make([]render.Object, len(services))
	errs := make([]error, len(services))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, name := range services {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				errs[i] = err
				return nil
			}
			doc, err := w.deployWorkflow(name)
			if err != nil {
				errs[i] = fmt.Errorf("render github for %s: %w", name, err)
				return nil
			}
			source := w.model.Services[name].Pos.File
			objs[i], err = workflowObject(DeployWorkflowPath(name), name, source, doc)
			if err != nil {
				errs[i] = fmt.Errorf("render github for %s: %w", name, err)
			}
			return nil
		})
	}
	g.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return objs, nil
}

// workflowObject encodes a workflow under the generated-file header.
func workflowObject(filePath, service, source string, doc *mapping) (render.Object, error) {
	if err := addHeader(doc, source); err != nil {
		return render.Object{}, err
	}
	// EncodeYAMLNode writes what yaml.v3's Encoder writes, comments
	// included, in a fraction of the time.
	data, err := render.EncodeYAMLNode(doc.node)
	if err != nil {
		return render.Object{}, fmt.Errorf("encode %s: %w", filePath, err)
	}
	// Value must be what reading the file gives (plan compares it with
	// workflows read from disk). Parsing the bytes costs as much as
	// encoding them, so the value is taken from the nodes where they are
	// known to read back as they are.
	value, ok := plainMapping(doc.node)
	if !ok {
		if err := yaml.Unmarshal(data, &value); err != nil {
			return render.Object{}, fmt.Errorf("read back %s: %w", filePath, err)
		}
	}
	return render.Object{
		Target:  render.TargetGitHub,
		Service: service,
		Path:    filePath,
		ID:      render.Identity{Kind: "Workflow", Name: filePath},
		Source:  source,
		Value:   value,
		Raw:     data,
	}, nil
}

// addHeader puts the generated-file header, naming source, above doc's
// own head comment.
func addHeader(doc *mapping, source string) error {
	if strings.ContainsAny(source, "\r\n") {
		return fmt.Errorf("source %q contains a line break", source)
	}
	header := "# Code generated by govctl. DO NOT EDIT."
	if source != "" {
		header = "# Code generated by govctl from " + source + ". DO NOT EDIT."
	}
	if doc.node.HeadComment != "" {
		header += "\n#\n" + doc.node.HeadComment
	}
	doc.node.HeadComment = header
	return nil
}

// workflows holds what every workflow of one model shares.
type workflows struct {
	model    *schema.Model
	github   *schema.GitHub
	envs     []string
	resolved map[string]*schema.Resolved
	specDir  string
	govctl   string // the go install argument, package@version
	goVer    string
	runsOn   string
}

// safeSpecDir is what a spec directory may look like: it is written into
// shell commands unquoted.
var safeSpecDir = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_./-]*$`)

func (r Renderer) newWorkflows(m *schema.Model) (*workflows, error) {
	w := &workflows{
		model:    m,
		github:   m.Platform.GitHub,
		envs:     m.EnvironmentNames(),
		resolved: map[string]*schema.Resolved{},
		goVer:    r.GoVersion,
		runsOn:   r.RunsOn,
	}
	if w.goVer == "" {
		w.goVer = DefaultGoVersion
	}
	if w.runsOn == "" {
		w.runsOn = DefaultRunner
	}
	if strings.ContainsAny(w.goVer+w.runsOn, "\r\n") {
		return nil, fmt.Errorf("go version %q or runner %q contains a line break", w.goVer, w.runsOn)
	}

	version := r.GovctlVersion
	if version == "" {
		version = DefaultGovctlVersion
	}
	if !semver.IsValid(version) || semver.Canonical(version) != version {
		return nil, fmt.Errorf("govctl version %q is not a full semantic version such as %s; workflows install a fixed govctl, never a branch or latest", version, DefaultGovctlVersion)
	}
	w.govctl = govctlPackage + "@" + version

	dir := r.SpecDir
	if dir == "" {
		dir = m.Dir
	}
	dir = path.Clean(strings.ReplaceAll(dir, `\`, "/"))
	if path.IsAbs(dir) || dir == ".." || strings.HasPrefix(dir, "../") || !safeSpecDir.MatchString(dir) {
		return nil, fmt.Errorf("spec directory %q cannot be named in a workflow: give its path relative to the repository root, in letters, digits and _ . / - (such as platform/shop)", dir)
	}
	w.specDir = dir

	for _, e := range w.envs {
		res, err := m.Resolve(e)
		if err != nil {
			return nil, err
		}
		w.resolved[e] = res
	}
	return w, nil
}

// govctlCommand is a govctl invocation in a run script, with --dir when the
// spec directory is not the repository root.
func (w *workflows) govctlCommand(sub string, args ...string) string {
	parts := []string{"govctl", sub}
	if w.specDir != "." {
		parts = append(parts, "--dir", w.specDir)
	}
	return strings.Join(append(parts, args...), " ")
}

// commonSteps are the first steps of every job that runs govctl.
func (w *workflows) commonSteps(fetchAll bool) ([]*mapping, error) {
	checkout, err := actionStep("Check out", "actions/checkout", "")
	if err != nil {
		return nil, err
	}
	with := newMapping()
	if fetchAll {
		// plan --base reads the base branch's commits: all history, all
		// branches.
		with.set("fetch-depth", 0)
	}
	// No later step pushes, so the token is not left in .git/config where
	// any script of the job could read it.
	with.set("persist-credentials", false)
	checkout.set("with", with)

	setupGo, err := actionStep("Set up Go", "actions/setup-go", "")
	if err != nil {
		return nil, err
	}
	// No module cache: a cache written by another workflow run could carry
	// poisoned content into a job that holds deployment credentials.
	setupGo.set("with", newMapping().set("go-version", w.goVer).set("cache", false))

	install := newMapping().
		set("name", "Install govctl").
		set("run", "go install "+w.govctl)
	return []*mapping{checkout, setupGo, install}, nil
}

// actionStep is a step that uses a pinned third-party action; subPath names
// an action inside the repository ("upload-sarif").
func actionStep(name, repository, subPath string) (*mapping, error) {
	pin, err := pinnedAction(repository)
	if err != nil {
		return nil, err
	}
	return newMapping().
		set("name", name).
		set("uses", lineCommented{pin.Uses(subPath), pin.Version}), nil
}

// ---------------------------------------------------------------------------
// Deploy workflow

// deployWorkflow renders .github/workflows/deploy-<service>.yml.
func (w *workflows) deployWorkflow(service string) (*mapping, error) {
	first := w.resolved[w.envs[0]].Services[service]
	source := w.model.Services[service].Pos.File

	paths := []string{}
	for _, p := range w.github.ServicePaths {
		paths = append(paths, strings.ReplaceAll(p, "{service}", service))
	}
	// What the service deploys depends on more than its own file: the
	// environments, the platform and its defaults, any other file that sets
	// services.<service> (the spec is one CUE package), and the other
	// services (the callers an AuthorizationPolicy admits). Every .cue file
	// of the spec directory, subdirectories included, is therefore a
	// trigger. Policies are not: no deploy step lints.
	paths = append(paths, w.specPath("**.cue"))

	doc := newMapping()
	doc.node.HeadComment = comment(deployPreamble(service, w.envs))
	doc.set("name", "deploy "+service)
	doc.set("on", newMapping().
		set("push", newMapping().
			set("branches", []string{w.github.DefaultBranch}).
			set("paths", paths)).
		set("workflow_dispatch", nil))
	doc.set("permissions", newMapping())
	// An explicit shell makes GitHub run scripts with -eo pipefail, so a
	// failing `govctl render` fails `govctl render | kubectl apply`.
	doc.set("defaults", newMapping().set("run", newMapping().set("shell", "bash")))

	jobs := newMapping()
	// A prebuilt image (build.kind "image") has no build job: the first
	// deploy job then carries the default-branch condition itself.
	previous := ""
	if first.Build.Kind != schema.BuildImage {
		build, err := w.buildJob(service, first)
		if err != nil {
			return nil, err
		}
		jobs.set("build", build)
		previous = "build"
	}
	for _, envName := range w.envs {
		env := w.resolved[envName].Environment
		svc := w.resolved[envName].Services[service]
		approvalEnvs := ApprovalEnvironmentNames(envName, env.Approvals)
		for n, gateEnv := range approvalEnvs[1:] {
			id := "approve-" + gateEnv
			jobs.setCommented(id, comment(approvalGateComment(envName, n+2, env.Approvals)),
				w.approvalGateJob(envName, gateEnv, n+2, env.Approvals, previous))
			previous = id
		}
		job, err := w.deployJob(service, source, env, svc, approvalEnvs, previous)
		if err != nil {
			return nil, fmt.Errorf("environment %s: %w", envName, err)
		}
		id := "deploy-" + envName
		jobs.set(id, job)
		previous = id
	}
	doc.set("jobs", jobs)
	return doc, nil
}

// deployPreamble is the comment under the generated-file header that says
// what a repository needs before the workflow can run.
func deployPreamble(service string, envs []string) string {
	return strings.Join([]string{
		"Builds " + service + " and promotes it through " + strings.Join(envs, " → ") + ".",
		"",
		"Before the first run:",
		"  - create the GitHub environments and their reviewers: govctl apply github;",
		"  - give each environment a secret KUBECONFIG (a kubeconfig allowed to",
		"    create and update its Namespace, and the service's Kubernetes and",
		"    Istio objects in it) and a variable PROMETHEUS_URL (the Prometheus",
		"    that scrapes the mesh).",
		"Each deploy applies the service's rendered Kubernetes objects (govctl render",
		"--target kubernetes --service): the Deployment \"" + service + "\", and \"" + service + "-canary\" while",
		"a new version runs next to the stable one, with its ServiceAccount, Service",
		"and config, after the environment's Namespace; then its Istio objects with",
		"the environment's PeerAuthentication, Telemetry and ServiceEntries. Applying",
		"these shared objects again is idempotent, so a first deploy into a fresh",
		"cluster works.",
	}, "\n")
}

// stableVersionFile is the spec file where a rollout of svc is finished by
// setting traffic.stableVersion: the file that sets it for this
// environment, or else the one that sets the version being rolled out.
func stableVersionFile(svc *schema.Service) string {
	if o := svc.Origin(fieldpath.New("traffic", "stableVersion")); o.Layer != schema.LayerSchema {
		return o.Pos.File
	}
	return svc.PosOf(fieldpath.New("version")).File
}

// specPath is a spec file's path from the repository root.
func (w *workflows) specPath(file string) string {
	if w.specDir == "." {
		return file
	}
	return path.Join(w.specDir, file)
}

// serviceDir is the directory of the service's code: the first servicePaths
// pattern naming the service, up to its first glob element.
func (w *workflows) serviceDir(service string) (string, error) {
	for _, p := range w.github.ServicePaths {
		if !strings.Contains(p, "{service}") || strings.HasPrefix(p, "!") {
			continue
		}
		var kept []string
		for _, part := range strings.Split(strings.ReplaceAll(p, "{service}", service), "/") {
			if strings.ContainsAny(part, "*?[]!+") {
				break
			}
			kept = append(kept, part)
		}
		dir := path.Clean(strings.Join(kept, "/"))
		if dir == "" || path.IsAbs(dir) || dir == ".." || strings.HasPrefix(dir, "../") {
			return "", fmt.Errorf("servicePaths entry %q does not name a directory inside the repository", p)
		}
		return dir, nil
	}
	return ".", nil
}

// registryOf returns the registry host of an image reference; "" for Docker
// Hub, whose references have no host.
func registryOf(image string) string {
	first, _, ok := strings.Cut(image, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return ""
}

// buildJob builds and pushes <image>:<version> as build.kind says: a Go
// module is tested with go test and built by the Dockerfile at its root; a
// "dockerfile" build (any language) is built by build.dockerfile, with no
// Go toolchain. build.path, when set, is the code's directory instead of
// the one servicePaths names.
func (w *workflows) buildJob(service string, svc *schema.Service) (*mapping, error) {
	dir, err := w.serviceDir(service)
	if err != nil {
		return nil, err
	}
	if svc.Build.Path != "" {
		dir = path.Clean(svc.Build.Path)
	}
	image := svc.Image + ":" + svc.Version
	registry := registryOf(svc.Image)

	perms := newMapping().set("contents", "read")
	login, err := actionStep("Log in to "+registryName(registry), "docker/login-action", "")
	if err != nil {
		return nil, err
	}
	loginWith := newMapping()
	if registry != "" {
		loginWith.set("registry", registry)
	}
	if registry == "ghcr.io" {
		// GitHub Packages takes the job's own token; it needs packages: write.
		perms.set("packages", "write")
		loginWith.set("username", "${{ github.actor }}").set("password", "${{ secrets.GITHUB_TOKEN }}")
	} else {
		login.node.HeadComment = comment("Repository secrets REGISTRY_USERNAME and REGISTRY_PASSWORD log in to " + registryName(registry) + ".")
		loginWith.set("username", "${{ secrets.REGISTRY_USERNAME }}").set("password", "${{ secrets.REGISTRY_PASSWORD }}")
	}
	login.set("with", loginWith)

	checkout, err := actionStep("Check out", "actions/checkout", "")
	if err != nil {
		return nil, err
	}
	checkout.set("with", newMapping().set("persist-credentials", false))
	setupGo, err := actionStep("Set up Go", "actions/setup-go", "")
	if err != nil {
		return nil, err
	}
	setupGo.set("with", newMapping().
		set("go-version-file", path.Join(dir, "go.mod")).
		// No cache in a job that publishes: a poisoned cache would ship.
		set("cache", false))
	buildx, err := actionStep("Set up Docker Buildx", "docker/setup-buildx-action", "")
	if err != nil {
		return nil, err
	}
	push, err := actionStep("Build and push "+image, "docker/build-push-action", "")
	if err != nil {
		return nil, err
	}
	pushWith := newMapping().set("context", dir)
	if svc.Build.Kind == schema.BuildDockerfile {
		pushWith.set("file", path.Join(dir, svc.Build.Dockerfile))
	}
	push.set("with", pushWith.
		set("push", true).
		set("tags", image))

	steps := []*mapping{checkout}
	if svc.Build.Kind != schema.BuildDockerfile {
		steps = append(steps, setupGo,
			newMapping().set("name", "Test").set("working-directory", dir).set("run", "go test ./..."))
	}
	steps = append(steps, buildx, login, push)
	return newMapping().
		set("name", "build "+image).
		// workflow_dispatch can start the workflow on any branch; only the
		// default branch may push the image tag that environments deploy.
		set("if", "github.ref == "+expressionString("refs/heads/"+w.github.DefaultBranch)).
		set("runs-on", w.runsOn).
		set("timeout-minutes", 30).
		set("permissions", perms).
		set("steps", steps), nil
}

func registryName(registry string) string {
	if registry == "" {
		return "Docker Hub"
	}
	return registry
}

func approvalGateComment(env string, n, total int) string {
	return fmt.Sprintf("Approval %d of %d for %s. GitHub lets ONE reviewer release an environment,\n"+
		"so %s needs one environment per approval; deploy-%s checks that\n"+
		"different people approved them (govctl approvals verify).", n, total, env, env, env)
}

// approvalGateJob waits for one approval in gateEnv and does nothing else.
func (w *workflows) approvalGateJob(env, gateEnv string, n, total int, needs string) *mapping {
	job := newMapping().set("name", fmt.Sprintf("approval %d of %d for %s", n, total, env))
	if needs != "" {
		job.set("needs", needs)
	} else {
		job.set("if", "github.ref == "+expressionString("refs/heads/"+w.github.DefaultBranch))
	}
	return job.
		set("runs-on", w.runsOn).
		set("timeout-minutes", 5).
		set("environment", newMapping().set("name", gateEnv)).
		set("permissions", newMapping()).
		set("steps", []*mapping{newMapping().
			set("name", "Approved").
			set("env", newMapping().set("ENVIRONMENT", env)).
			set("run", "echo \"approval "+strconv.Itoa(n)+" of "+strconv.Itoa(total)+" for $ENVIRONMENT recorded\"")})
}

// deployJob rolls the service out to one environment.
func (w *workflows) deployJob(service, source string, env *schema.Environment, svc *schema.Service, approvalEnvs []string, needs string) (*mapping, error) {
	// While a rollout is in progress where the environment stages it, both
	// versions run: the stable subset on the Deployment <service>, the
	// canary subset on <service>-canary (schema.Resolved.Rollout).
	res := w.resolved[env.Name]
	rollout := res.Rollout(svc).Value
	sideBySide, canary := rollout.SideBySide(), rollout.Stepped
	// Each hold lasts the gate's window, so the gate measures what
	// accumulated since the traffic shifted.
	gateWindow := res.GateWindow().Value
	workload := service
	if sideBySide {
		workload = service + "-canary"
	}
	image := svc.Image + ":" + svc.Version

	steps, err := w.commonSteps(false)
	if err != nil {
		return nil, err
	}
	perms := newMapping().set("contents", "read")
	if env.Approvals > 0 {
		// Verified even for one approval, which GitHub enforces by itself:
		// a job that names an environment nobody created (before `govctl
		// apply github`, or after it was deleted) makes GitHub create it
		// unprotected, and the job would deploy unreviewed. Verifying reads
		// the run's review history, GET
		// /repos/{owner}/{repo}/actions/runs/{run_id}/approvals: actions: read.
		perms.set("actions", "read")
		steps = append(steps, newMapping().
			set("name", fmt.Sprintf("Verify %d distinct approval%s", len(approvalEnvs), plural(len(approvalEnvs)))).
			set("env", newMapping().set("GITHUB_TOKEN", "${{ github.token }}")).
			set("run", fmt.Sprintf("govctl approvals verify --run-id \"$GITHUB_RUN_ID\" --environments %s --want %d",
				strings.Join(approvalEnvs, ","), len(approvalEnvs))))
	}

	credentials := newMapping().
		set("name", "Configure cluster credentials").
		set("env", newMapping().set("KUBECONFIG_DATA", "${{ secrets.KUBECONFIG }}")).
		set("run", `if [ -z "$KUBECONFIG_DATA" ]; then
  echo "::error::set the secret KUBECONFIG of environment $ENVIRONMENT to a kubeconfig for namespace $NAMESPACE"
  exit 1
fi
umask 077
printf '%s\n' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"
echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"
`)
	credentials.node.HeadComment = comment("Cluster credentials: the environment secret KUBECONFIG. To use short-lived\n" +
		"cloud credentials instead, replace this step with your provider's login\n" +
		"action and give this job `id-token: write`.")
	steps = append(steps, credentials,
		newMapping().
			set("name", "Record the revision of deployment/"+workload).
			set("id", "revision").
			set("run", `revision="$(kubectl -n "$NAMESPACE" get "deployment/$WORKLOAD" --ignore-not-found -o 'jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision}')"
echo "revision=$revision" >> "$GITHUB_OUTPUT"
`),
		newMapping().
			set("name", "Roll out "+image+" to deployment/"+workload).
			set("run", w.govctlCommand("render", "--env", env.Name, "--target", "kubernetes", "--service", service, "--stdout")+` | kubectl apply -f -
kubectl -n "$NAMESPACE" rollout status "deployment/$WORKLOAD" --timeout=10m
`))

	smoke, err := w.smokeTestStep(env)
	if err != nil {
		return nil, err
	}
	apply := func(weight string) string {
		args := []string{"--env", env.Name, "--target", "istio", "--service", service}
		if weight != "" {
			args = append(args, "--canary-weight", weight)
		}
		return w.govctlCommand("render", append(args, "--stdout")...) + " | kubectl apply -f -"
	}
	gateStep := func(name string) *mapping {
		return newMapping().
			set("name", name).
			set("env", newMapping().set("PROMETHEUS_URL", "${{ vars.PROMETHEUS_URL }}")).
			set("run", fmt.Sprintf(`: "${PROMETHEUS_URL:?set the variable PROMETHEUS_URL of environment %s to the Prometheus that scrapes the mesh}"
%s --service %s --env %s --prometheus "$PROMETHEUS_URL"
`, env.Name, w.govctlCommand("gate"), service, env.Name))
	}
	var waited time.Duration
	hold := func(name string, d time.Duration) *mapping {
		waited += d
		return newMapping().set("name", name).set("run", fmt.Sprintf("sleep %d", int(math.Ceil(d.Seconds()))))
	}

	var rollback *mapping
	if canary {
		c := env.Canary
		interval := gateWindow
		maxRate := formatPercent(res.GateLimit(svc).Value)
		for i, weight := range c.Steps {
			shift := newMapping().
				set("name", fmt.Sprintf("Shift %d%% of traffic to %s", weight, svc.Version)).
				set("run", apply(strconv.Itoa(weight)))
			if i == 0 {
				shift.node.HeadComment = comment(fmt.Sprintf("Canary steps %s: shift, hold %s, gate on an error rate of at most %s.",
					joinInts(c.Steps, ", "), interval, maxRate))
			}
			steps = append(steps, shift)
			if i == 0 && smoke != nil {
				steps = append(steps, smoke)
			}
			steps = append(steps,
				hold(fmt.Sprintf("Hold %d%% for %s", weight, interval), interval),
				gateStep(fmt.Sprintf("Gate at %d%% (error rate at most %s)", weight, maxRate)))
		}
		if last := c.Steps[len(c.Steps)-1]; last == 100 {
			steps = append(steps, newMapping().
				set("name", "Summary").
				set("env", newMapping().set("SPEC_FILE", w.specPath(stableVersionFile(svc)))).
				set("run", `{
  echo "### $SERVICE $VERSION serves 100% of $ENVIRONMENT"
  echo "Finish the rollout: set traffic.stableVersion to $VERSION for $ENVIRONMENT in $SPEC_FILE."
} >> "$GITHUB_STEP_SUMMARY"
`))
		}
		rollback = newMapping().
			set("name", "Roll back all traffic to "+svc.Traffic.StableVersion).
			set("if", rollbackCondition).
			set("run", apply("0"))
	} else {
		name := "Apply the mesh configuration"
		if env.Mirror != nil && svc.Traffic.Mirror {
			name += fmt.Sprintf(" (mirroring %s%% to %s)", strconv.FormatFloat(env.Mirror.Percent, 'f', -1, 64), env.Mirror.Subset)
		}
		steps = append(steps, newMapping().set("name", name).set("run", apply("")))
		if smoke != nil {
			steps = append(steps, smoke)
		}
		if env.Tier != schema.TierDev {
			steps = append(steps,
				hold(fmt.Sprintf("Let metrics accumulate for %s", gateWindow), gateWindow),
				gateStep("Gate on the error rate"))
		}
		rollback = newMapping().
			set("name", "Roll back deployment/"+workload).
			set("if", rollbackCondition).
			set("env", newMapping().set("REVISION", "${{ steps.revision.outputs.revision }}")).
			set("run", `if [ -z "$REVISION" ]; then
  # The Deployment did not exist before this run: remove it.
  kubectl -n "$NAMESPACE" delete "deployment/$WORKLOAD" --ignore-not-found
  exit 0
fi
kubectl -n "$NAMESPACE" rollout undo "deployment/$WORKLOAD" --to-revision="$REVISION"
kubectl -n "$NAMESPACE" rollout status "deployment/$WORKLOAD" --timeout=10m
`)
	}
	rollback.node.HeadComment = comment("Runs when a step above failed or the run was cancelled, once the revision\nwas recorded: a failure before anything changed undoes nothing.")
	steps = append(steps, rollback)

	job := newMapping().
		set("name", "deploy to "+env.Name)
	if needs != "" {
		job.set("needs", needs)
	} else if env.AutoDeploy || env.Approvals > 0 {
		// No build job guards the default branch: workflow_dispatch can
		// start the workflow on any branch.
		job.set("if", "github.ref == "+expressionString("refs/heads/"+w.github.DefaultBranch))
	}
	if !env.AutoDeploy && env.Approvals == 0 {
		// Nobody reviews this environment, so a push must not reach it;
		// someone starts the workflow by hand.
		job.set("if", "github.event_name == 'workflow_dispatch'")
	}
	job.set("runs-on", w.runsOn).
		set("timeout-minutes", deploySlackMinutes+int(math.Ceil(waited.Minutes()))).
		set("environment", newMapping().set("name", env.Name)).
		set("concurrency", newMapping().
			set("group", "deploy-"+service+"-"+env.Name).
			// Cancelling a dev deployment for a newer one is harmless;
			// anywhere else it would interrupt a rollout half way.
			set("cancel-in-progress", env.Tier == schema.TierDev)).
		set("permissions", perms).
		set("env", newMapping().
			set("SERVICE", service).
			set("ENVIRONMENT", env.Name).
			set("NAMESPACE", env.Namespace).
			set("IMAGE", image).
			set("VERSION", svc.Version).
			set("WORKLOAD", workload)).
		set("steps", steps)
	return job, nil
}

// deploySlackMinutes is a deploy job's time beyond its holds: checkout,
// credentials, the rollout itself, smoke test, gates and a rollback.
const deploySlackMinutes = 30

// maxJobMinutes is the longest a job may run on a GitHub-hosted runner
// (6 hours, "Usage limits": job execution time); GitHub cancels it then,
// in the middle of a canary.
const maxJobMinutes = 360

// canaryHold is how long the canary of res's environment holds traffic in
// total (each step holds for the gate window), the time a deploy job waits
// on top of deploySlackMinutes.
func canaryHold(res *schema.Resolved) time.Duration {
	return time.Duration(len(res.Environment.Canary.Steps)) * res.GateWindow().Value
}

// checkCanaryLength refuses an environment whose canary holds traffic for
// longer than a deploy job may run: the job would be cancelled half way,
// leaving traffic split. It is an error whether or not a rollout is in
// progress now, since the next version bump would start one.
func (w *workflows) checkCanaryLength() error {
	list := &diag.List{Dir: w.model.Dir}
	for _, name := range w.envs {
		env := w.model.Environments[name]
		if env.Canary == nil || len(env.Canary.Steps) == 0 {
			continue
		}
		used := false
		for _, svc := range w.resolved[name].Services {
			if svc.IsApp() && svc.Traffic.Canary {
				used = true
				break
			}
		}
		if !used {
			continue
		}
		hold := canaryHold(w.resolved[name])
		need := deploySlackMinutes + int(math.Ceil(hold.Minutes()))
		if need <= maxJobMinutes {
			continue
		}
		n := len(env.Canary.Steps)
		longest := (time.Duration(maxJobMinutes-deploySlackMinutes) * time.Minute / time.Duration(n)).Truncate(time.Second)
		window := w.resolved[name].GateWindow()
		pos := window.Pos
		if !pos.IsValid() {
			if p, ok := w.model.PosOf(fieldpath.New("environments", name, "canary")); ok {
				pos = p
			} else {
				pos = env.Pos
			}
		}
		list.Add(diag.Errorf(pos, fieldpath.New("environments", name, "canary"),
			"%d canary steps holding %s each take %s, and one deploy job runs them all: with %d minutes for the rollout itself that job needs timeout-minutes %d, more than the %d (6 hours) GitHub lets a job run, so it would be cancelled with traffic split; use fewer steps or an interval of at most %s",
			n, shortDuration(window.Value), shortDuration(hold), deploySlackMinutes, need, maxJobMinutes, shortDuration(longest)))
	}
	return list.Err()
}

// shortDuration formats d as a spec would write it: 30m, 9h30m, 17m22s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// rollbackCondition runs a rollback step when a step failed or the run was
// cancelled, but only once the revision was recorded: a failure before the
// workload changed (credentials, approvals) has nothing to undo. The rollback
// runs in the deploy job, with the credentials it already holds: a separate
// job would have to enter the environment again and, where it has reviewers,
// wait for a human while the bad version takes traffic.
const rollbackCondition = "(failure() || cancelled()) && steps.revision.outcome == 'success'"

// smokeTestStep runs the environment's smoke test command, if it has one.
func (w *workflows) smokeTestStep(env *schema.Environment) (*mapping, error) {
	if env.SmokeTest == "" {
		return nil, nil
	}
	if strings.Contains(env.SmokeTest, "${{") {
		field := fieldpath.New("environments", env.Name, "smokeTest")
		pos, ok := w.model.PosOf(field)
		if !ok {
			pos = env.Pos
		}
		return nil, &diag.List{Dir: w.model.Dir, Diags: []*diag.Diagnostic{{Pos: pos, Path: field,
			Message: "the command must not contain ${{ … }}: GitHub would expand it into the script before the shell runs; read $SERVICE, $ENVIRONMENT, $NAMESPACE, $IMAGE or $VERSION from the environment instead"}}}
	}
	return newMapping().set("name", "Smoke test").set("run", env.SmokeTest), nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// expressionString quotes s as a string literal of GitHub's expression
// language, which doubles single quotes.
func expressionString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// formatPercent writes a ratio as a percentage: 0.005 → "0.5%".
func formatPercent(ratio float64) string {
	p := math.Round(ratio*100*1e6) / 1e6
	return strconv.FormatFloat(p, 'f', -1, 64) + "%"
}

func joinInts(ns []int, sep string) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, sep)
}

// ---------------------------------------------------------------------------
// Plan workflow

// planWorkflow renders .github/workflows/govctl-plan.yml: lint findings to
// code scanning, the plan as a pull-request comment and job summary. The two
// jobs are separate so that each token holds one write permission.
func (w *workflows) planWorkflow() (*mapping, error) {
	doc := newMapping()
	doc.node.HeadComment = comment("Lints the specs and plans their change on every pull request.")
	doc.set("name", "govctl plan")
	doc.set("on", newMapping().set("pull_request", nil))
	doc.set("permissions", newMapping())
	doc.set("defaults", newMapping().set("run", newMapping().set("shell", "bash")))
	doc.set("concurrency", newMapping().
		set("group", "govctl-plan-${{ github.event.pull_request.number }}").
		set("cancel-in-progress", true))

	lintSteps, err := w.commonSteps(false)
	if err != nil {
		return nil, err
	}
	codeql, err := pinnedAction("github/codeql-action")
	if err != nil {
		return nil, err
	}
	upload := newMapping().
		set("name", "Upload findings to code scanning").
		// Upload even when lint failed on findings: that is when they matter.
		set("if", "${{ !cancelled() && steps.lint.outcome != 'skipped' }}").
		set("uses", lineCommented{codeql.Uses("upload-sarif"), codeql.Version}).
		set("with", newMapping().set("sarif_file", "govctl.sarif").set("category", "govctl"))
	lintSteps = append(lintSteps,
		newMapping().
			set("name", "Lint").
			set("id", "lint").
			set("run", w.govctlCommand("lint", "--format", "sarif")+" > govctl.sarif"),
		upload)

	planSteps, err := w.commonSteps(true)
	if err != nil {
		return nil, err
	}
	plan := newMapping().
		set("name", "Plan").
		// Event values reach the script through the environment, never
		// by ${{ }} expansion into its text.
		set("env", newMapping().
			set("BASE_REF", "${{ github.base_ref }}").
			set("HEAD_REPOSITORY", "${{ github.event.pull_request.head.repo.full_name }}").
			set("GITHUB_TOKEN", "${{ github.token }}")).
		set("run", `args=(--base "origin/$BASE_REF" --format markdown)
# A pull request from another repository (a fork) gets a read-only token:
# plan it, comment nothing.
if [ "$HEAD_REPOSITORY" = "$GITHUB_REPOSITORY" ]; then
  args+=(--comment)
fi
`+w.govctlCommand("plan")+` "${args[@]}" | tee -a "$GITHUB_STEP_SUMMARY"
`)
	planSteps = append(planSteps, plan)

	doc.set("jobs", newMapping().
		set("lint", newMapping().
			set("name", "govctl lint").
			set("runs-on", w.runsOn).
			set("timeout-minutes", 15).
			set("permissions", newMapping().
				set("contents", "read").
				set("security-events", "write")).
			set("steps", lintSteps)).
		set("plan", newMapping().
			set("name", "govctl plan").
			set("runs-on", w.runsOn).
			set("timeout-minutes", 15).
			set("permissions", newMapping().
				set("contents", "read").
				set("pull-requests", "write")).
			set("steps", planSteps)))
	return doc, nil
}

// ---------------------------------------------------------------------------
// YAML with a conventional key order and comments

// mapping is a YAML mapping that keeps its keys in insertion order, so a
// workflow reads as GitHub's documentation writes one (name, on, jobs; in a
// step name, uses, with), and can carry comments.
type mapping struct{ node *yaml.Node }

// lineCommented is a scalar followed by a comment on its line.
type lineCommented struct{ value, comment string }

func newMapping() *mapping {
	return &mapping{node: &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}}
}

// set appends key with value: a string, int, bool, nil (an empty value),
// []string, *mapping, []*mapping or lineCommented.
func (m *mapping) set(key string, value any) *mapping {
	m.node.Content = append(m.node.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		valueNode(value))
	return m
}

// setCommented is set with a comment above the key.
func (m *mapping) setCommented(key, comment string, value any) *mapping {
	m.set(key, value)
	m.node.Content[len(m.node.Content)-2].HeadComment = comment
	return m
}

func valueNode(value any) *yaml.Node {
	switch v := value.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	case string:
		return stringNode(v)
	case lineCommented:
		n := stringNode(v.value)
		n.LineComment = v.comment
		return n
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case []string:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, s := range v {
			n.Content = append(n.Content, stringNode(s))
		}
		return n
	case *mapping:
		if len(v.node.Content) == 0 {
			v.node.Style = yaml.FlowStyle
		}
		return v.node
	case []*mapping:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range v {
			n.Content = append(n.Content, valueNode(e))
		}
		return n
	}
	// Unreachable: set documents the types it takes.
	return stringNode(fmt.Sprint(value))
}

// plainMapping is the mapping n as yaml.Unmarshal reads n's encoding into
// a map[string]any: nested mappings as map[string]any, sequences as []any,
// and the scalars valueNode makes as string, int, bool or nil. It reports
// false when that reading might differ from the nodes (a string with a
// character other than printable ASCII, tab or newline, which YAML may
// normalise; a repeated key, which yaml.Unmarshal rejects) or when n holds
// a node valueNode does not make; the caller then parses the encoding.
func plainMapping(n *yaml.Node) (map[string]any, bool) {
	if n.Kind != yaml.MappingNode {
		return nil, false
	}
	m := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || !readsBackAsIs(k.Value) {
			return nil, false
		}
		if _, dup := m[k.Value]; dup {
			return nil, false
		}
		v, ok := plainValue(n.Content[i+1])
		if !ok {
			return nil, false
		}
		m[k.Value] = v
	}
	return m, true
}

// plainValue is plainMapping for any node valueNode makes.
func plainValue(n *yaml.Node) (any, bool) {
	switch n.Kind {
	case yaml.MappingNode:
		return plainMapping(n)
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, e := range n.Content {
			v, ok := plainValue(e)
			if !ok {
				return nil, false
			}
			s[i] = v
		}
		return s, true
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return n.Value, readsBackAsIs(n.Value)
		case "!!null":
			return nil, true
		case "!!int":
			i, err := strconv.Atoi(n.Value)
			return i, err == nil
		case "!!bool":
			b, err := strconv.ParseBool(n.Value)
			return b, err == nil && n.Value == strconv.FormatBool(b)
		}
	}
	return nil, false
}

// readsBackAsIs reports whether the encoder writes s (plain, quoted or as
// a literal block) so that it reads back unchanged: s holds only printable
// ASCII, tabs and newlines, and does not start with a newline or tab. Other
// line breaks (\r, U+2028) read back as newlines; a literal block whose
// first line is empty loses it, and one whose first line starts with a tab
// does not parse, so those go through the parser, which reports that.
func readsBackAsIs(s string) bool {
	if s != "" && (s[0] == '\n' || s[0] == '\t') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 || c > 0x7e) && c != '\n' && c != '\t' {
			return false
		}
	}
	return true
}

// comment turns text into YAML comment lines.
func comment(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("# "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// yaml11Words are plain scalars that YAML 1.1 readers take for booleans;
// the encoder (YAML 1.2) would leave them unquoted.
var yaml11Words = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
}

// stringNode is a string scalar: a literal block when it spans lines (run
// scripts), double-quoted when another YAML reader could take it for
// something else; the encoder quotes what YAML 1.2 would misread.
func stringNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case strings.Contains(s, "\n"):
		n.Style = yaml.LiteralStyle
	case yaml11Words[s]:
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}
