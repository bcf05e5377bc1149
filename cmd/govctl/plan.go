package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/govctl/govctl/githubapi"
	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/plan"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/targets"
	"github.com/govctl/govctl/schema"
)

// PlanOptions are the inputs of govctl plan.
type PlanOptions struct {
	*GlobalOptions
	GitHubOptions
	IO               *IOStreams
	Base             string
	Against          string
	Nacos            string
	Username         string
	PasswordStdin    bool
	Format           string
	Comment          bool
	DetailedExitCode bool
	Targets          []string
}

func newPlanCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	opts := &PlanOptions{GlobalOptions: g, IO: io}
	cmd := &cobra.Command{
		Use:   "plan (--base REF | --against DIR | --nacos URL)",
		Short: "Show what a change will do, field by field, ranked by risk",
		Long: `Plan tells what a change does in the spec's terms. With --base REF it compares
the resolved specs at the git ref (read from the repository without touching
the work tree) with the work tree's: every semantic change of the platform,
an environment, a service in an environment, the policies or the exceptions
is one change, with the file:line:col of its value, even when no target
renders it. The rendered objects it changes (matched by identity and
compared field by field) are attached to it as evidence. Each change is
rated low, medium or high by the risk rules (plan/risk), with a reason
naming the service and environment; lint findings the change introduces
are part of the plan, and those it fixes are listed.

--against DIR (a directory of earlier output) and --nacos URL (the live
entries of one environment) compare rendered output only: there is no spec
baseline, and the plan says so.

--comment posts the markdown plan as one sticky comment on the pull request
(GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH; GITHUB_API_URL for GitHub
Enterprise), updating the comment of an earlier run. A failed comment is
reported but changes neither the printed plan nor the exit code.

--detailed-exitcode: 0 no changes, 2 changes, 1 error (as terraform plan).`,
		Example: `  govctl plan --base origin/main
  govctl plan --against deploy/
  govctl plan --env prod --nacos http://nacos:8848
  govctl plan --base origin/main --format markdown --comment
  govctl plan --base origin/main --detailed-exitcode`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return planRun(cmd, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.Base, "base", "", "git `REF` to compare with (e.g. origin/main)")
	f.StringVar(&opts.Against, "against", "", "`DIR` of earlier govctl render output to compare with")
	f.StringVar(&opts.Nacos, "nacos", "", "Nacos server `URL` to compare the environment's entries with (needs --env)")
	f.StringVar(&opts.Username, "username", "", "Nacos user, with --nacos")
	f.BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the Nacos password from standard input")
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: text, markdown or json")
	f.BoolVar(&opts.Comment, "comment", false, "post the plan as a sticky pull-request comment (GitHub Actions)")
	f.BoolVar(&opts.DetailedExitCode, "detailed-exitcode", false, "exit 0 without changes, 2 with changes, 1 on error")
	f.StringSliceVarP(&opts.Targets, "target", "t", nil, "limit to these targets")
	opts.GitHubOptions.addFlags(cmd)
	return cmd
}

// planRender renders everything plan compares: every target for every
// environment. Policies are compared in the spec diff, not as objects.
func planRender(topts targets.Options) plan.RenderFunc {
	return func(ctx context.Context, m *schema.Model) ([]render.Object, error) {
		return targets.Render(ctx, m, m.EnvironmentNames(), topts)
	}
}

func planRun(cmd *cobra.Command, opts *PlanOptions) error {
	ctx := cmd.Context()
	n := 0
	for _, b := range []string{opts.Base, opts.Against, opts.Nacos} {
		if b != "" {
			n++
		}
	}
	if n != 1 {
		return errors.New("plan needs exactly one baseline: --base REF, --against DIR or --nacos URL")
	}
	if opts.Comment && opts.Format != "markdown" {
		return errors.New("--comment posts markdown: add --format markdown")
	}
	reporter, err := plan.NewReporter(opts.Format, !color.NoColor && opts.Format == "text")
	if err != nil {
		return err
	}
	ts, err := targets.Parse(opts.Targets)
	if err != nil {
		return err
	}
	m, err := loadModel(ctx, opts.GlobalOptions, nil)
	if err != nil {
		return err
	}
	if opts.Env != "" {
		if _, err := m.Resolve(opts.Env); err != nil {
			return err
		}
	}
	secrets, err := lint.SecretMatcher(m)
	if err != nil {
		return err
	}
	scope := render.ScopeFor(ts, opts.Env)
	// Both sides render every target; the scope picks what is compared.
	renderFunc := baselineSecrets(planRender(specDirOptions(m.Dir)), m, secrets)

	var baseline plan.Baseline
	switch {
	case opts.Base != "":
		baseline = plan.NewGitBaseline(opts.Dir, opts.Base, renderFunc)
	case opts.Against != "":
		baseline = plan.NewDirBaseline(opts.Against)
	default:
		if opts.Env == "" {
			return errors.New("--nacos compares one environment: add --env")
		}
		client, password, err := nacosClient(opts.IO, opts.Nacos, opts.Username, opts.PasswordStdin)
		if err != nil {
			return err
		}
		secrets.AddLiterals(password)
		baseline = plan.NewNacosBaseline(client, opts.Nacos, opts.Env)
		scope = render.Scope{Envs: []string{opts.Env}, Targets: []render.Target{render.TargetNacos}}
	}
	p, err := plan.Compute(ctx, plan.Options{Model: m, Render: renderFunc, Baseline: baseline, Scope: scope, Secrets: secrets, Lint: true})
	// Both sides' secrets are known once the baseline is read.
	opts.IO.scrubSecrets(secrets.Literals())
	if err != nil {
		return err
	}
	p.Command = planCommand(opts)
	var body strings.Builder
	if err := reporter.Report(&body, p); err != nil {
		return err
	}
	// What is printed is what is posted: the comment and
	// $GITHUB_STEP_SUMMARY are scrubbed as the terminal is.
	text := secrets.Scrub(body.String())
	fmt.Fprint(opts.IO.Out, text)
	if opts.Comment {
		if err := postPlanComment(ctx, opts, p, text); err != nil {
			// The plan is printed and the exit code stays what the plan
			// says: a comment is a convenience, not the result.
			fmt.Fprintf(opts.IO.ErrOut, "govctl: warning: plan not posted as a PR comment: %v\n", err)
		}
	}
	if opts.DetailedExitCode && p.HasChanges() {
		return &exitError{code: 2}
	}
	return nil
}

// planCommand is the command line that reproduces the plan, for its
// footer: the baseline, directory, environment and targets, no secrets.
func planCommand(opts *PlanOptions) string {
	args := []string{"govctl", "plan"}
	if opts.Dir != "" && opts.Dir != "." {
		args = append(args, "--dir", opts.Dir)
	}
	switch {
	case opts.Base != "":
		args = append(args, "--base", opts.Base)
	case opts.Against != "":
		args = append(args, "--against", opts.Against)
	default:
		args = append(args, "--nacos", opts.Nacos)
	}
	if opts.Env != "" {
		args = append(args, "--env", opts.Env)
	}
	if len(opts.Targets) > 0 {
		args = append(args, "--target", strings.Join(opts.Targets, ","))
	}
	return strings.Join(args, " ")
}

// postPlanComment creates or updates the pull request's plan comment.
func postPlanComment(ctx context.Context, opts *PlanOptions, p *plan.Plan, body string) error {
	event := os.Getenv("GITHUB_EVENT_PATH")
	if event == "" {
		return errors.New("GITHUB_EVENT_PATH is not set: --comment runs inside GitHub Actions on a pull_request event")
	}
	repo, pr, err := githubapi.PullRequestFromEvent(event)
	if err != nil {
		return err
	}
	if opts.Repo != "" {
		repo = opts.Repo
	}
	client, err := opts.client()
	if err != nil {
		return err
	}
	res, err := githubapi.UpsertComment(ctx, client, repo, pr, plan.PlanMarker(p.Platform), body, githubapi.CommentOptions{})
	if err != nil {
		return err
	}
	if !opts.Quiet {
		fmt.Fprintf(opts.IO.ErrOut, "plan comment %s: %s\n", res.Action, res.URL)
	}
	return nil
}
