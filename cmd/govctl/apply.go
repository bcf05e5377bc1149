package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/govctl/govctl/githubapi"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/nacos"
	rnacos "github.com/govctl/govctl/render/nacos"
)

func newApplyCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Publish to live systems: Nacos config entries, GitHub environment protection",
		Long: `Apply publishes what govctl renders to systems that are configured through an
API rather than files: Nacos config entries and GitHub environment protection.`,
	}
	cmd.AddCommand(newApplyNacosCmd(g, io), newApplyGitHubCmd(g, io))
	return cmd
}

// ApplyNacosOptions are the inputs of govctl apply nacos.
type ApplyNacosOptions struct {
	*GlobalOptions
	IO            *IOStreams
	Server        string
	Username      string
	PasswordStdin bool
	DryRun        bool
	Adopt         bool
}

func newApplyNacosCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	opts := &ApplyNacosOptions{GlobalOptions: g, IO: io}
	cmd := &cobra.Command{
		Use:   "nacos --env ENV --server URL",
		Short: "Publish an environment's config entries through the Nacos Open API",
		Long: `Apply nacos publishes the rendered config entries of one environment with
compare-and-swap: each entry govctl writes carries its md5 in the config's
description, and an entry edited in the Nacos console since govctl last
applied it is reported as a conflict and left as it is (exit 1). An existing
entry govctl did not create is a conflict too, unless --adopt is given.
A failure stops the run; the report lists what was applied, and a re-run
converges.`,
		Example: `  govctl apply nacos --env staging --server http://nacos:8848 --dry-run
  echo "$NACOS_PASSWORD" | govctl apply nacos --env prod --server http://nacos:8848 --username govctl --password-stdin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return applyNacosRun(cmd, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.Server, "server", "", "Nacos server URL, e.g. http://nacos:8848 (required)")
	f.StringVar(&opts.Username, "username", "", "Nacos user (login for an accessToken)")
	f.BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password from standard input")
	f.BoolVar(&opts.DryRun, "dry-run", false, "read live state and print what would change; write nothing")
	f.BoolVar(&opts.Adopt, "adopt", false, "take over existing entries govctl did not create")
	return cmd
}

// nacosClient builds a client from --server, --username and a password
// read from stdin, and returns the password too, for the caller's
// Scrubber.
func nacosClient(io *IOStreams, server, username string, passwordStdin bool) (*nacos.Client, string, error) {
	if server == "" {
		return nil, "", errors.New("--server is required, e.g. --server http://nacos:8848")
	}
	copts := nacos.ClientOptions{Username: username}
	if passwordStdin {
		if username == "" {
			return nil, "", errors.New("--password-stdin needs --username")
		}
		pw, err := readAllTrim(io)
		if err != nil {
			return nil, "", fmt.Errorf("read password from stdin: %w", err)
		}
		copts.Password = pw
	}
	c, err := nacos.NewClient(server, copts)
	return c, copts.Password, err
}

func readAllTrim(ios *IOStreams) (string, error) {
	b, err := io.ReadAll(ios.In)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func applyNacosRun(cmd *cobra.Command, opts *ApplyNacosOptions) error {
	if opts.Env == "" {
		return errors.New("apply nacos needs --env: one environment is published at a time")
	}
	client, password, err := nacosClient(opts.IO, opts.Server, opts.Username, opts.PasswordStdin)
	if err != nil {
		return err
	}
	opts.IO.scrubSecrets([]string{password})
	ctx := cmd.Context()
	m, err := loadModel(ctx, opts.GlobalOptions, nil)
	if err != nil {
		return err
	}
	secrets, err := modelSecrets(opts.IO, m)
	if err != nil {
		return err
	}
	report, applyErr := nacos.ApplyEnvironment(ctx, client, m, opts.Env, nacos.ApplyOptions{DryRun: opts.DryRun, Adopt: opts.Adopt})
	if applyErr != nil && len(report.Results) == 0 {
		// Nothing was attempted (no entries, an invalid spec): no report.
		return applyErr
	}
	var auth *nacos.AuthError
	if errors.As(applyErr, &auth) && len(report.Written()) == 0 {
		// Every entry failed the same way; one line says it.
		return auth
	}
	services, _ := rnacos.EntryServices(m, opts.Env) // the report is printed without them
	printNacosReport(opts.IO.Out, report, opts.Quiet, changedFields(secrets, services))
	if applyErr != nil {
		return &exitError{code: 1, err: applyErr}
	}
	return nil
}

// changedFields names the changed keys of a result, a sensitive one with
// secret.Changed: apply shows no value, and says which secret changed.
func changedFields(secrets *secret.Matcher, services map[nacos.Key]string) func(nacos.Result) string {
	data := fieldpath.New("config", "data")
	return func(res nacos.Result) string {
		names := make([]string, 0, len(res.Changed))
		for _, k := range res.Changed {
			p, err := fieldpath.Parse(k)
			if err == nil && secrets.Sensitive(services[res.Key], data.Append(p...)) {
				k += " " + secret.Changed
			}
			names = append(names, k)
		}
		return strings.Join(names, ", ")
	}
}

func printNacosReport(w io.Writer, r nacos.Report, quiet bool, changed func(nacos.Result) string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, res := range r.Results {
		if quiet && res.Action == nacos.ActionUnchanged {
			continue
		}
		reason := res.Reason
		if len(res.Changed) > 0 {
			reason += ": " + changed(res)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", res.Action, res.Key, reason)
	}
	tw.Flush()
	verb := "Applied"
	if r.DryRun {
		verb = "Dry run"
	}
	fmt.Fprintf(w, "%s: %d created, %d updated, %d unchanged, %d conflicts, %d failed, %d skipped.\n", verb,
		r.Count(nacos.ActionCreated), r.Count(nacos.ActionUpdated), r.Count(nacos.ActionUnchanged),
		r.Count(nacos.ActionConflict), r.Count(nacos.ActionFailed), r.Count(nacos.ActionSkipped))
}

// ApplyGitHubOptions are the inputs of govctl apply github.
type ApplyGitHubOptions struct {
	*GlobalOptions
	GitHubOptions
	IO               *IOStreams
	Branches         []string
	AllowAdminBypass bool
}

func newApplyGitHubCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	opts := &ApplyGitHubOptions{GlobalOptions: g, IO: io}
	cmd := &cobra.Command{
		Use:   "github [--env ENV]",
		Short: "Enforce the spec's approvals and reviewers as GitHub environment protection",
		Long: `Apply github writes required reviewers, wait timer and deployment branch
policy to the repository's environments. GitHub requires only one approval
from the listed reviewers, so for approvals: N > 1 govctl also creates the
environments <env>-approval-2 … <env>-approval-N, which the rendered deploy
workflow chains, and the workflow verifies N distinct approvers before it
deploys. The report says what GitHub enforces and what govctl composes.

The token (GITHUB_TOKEN) needs the Administration: write permission on the
repository; a workflow's own GITHUB_TOKEN cannot have it.`,
		Example: `  GITHUB_TOKEN=$(gh auth token) govctl apply github --env prod
  govctl apply github --repo acme/shop --branches main,release/*`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return applyGitHubRun(cmd, opts) },
	}
	opts.GitHubOptions.addFlags(cmd)
	cmd.Flags().StringSliceVar(&opts.Branches, "branches", nil, "branch patterns allowed to deploy (default: protected branches)")
	cmd.Flags().BoolVar(&opts.AllowAdminBypass, "allow-admin-bypass", false, "let repository admins deploy without the required reviews")
	return cmd
}

func applyGitHubRun(cmd *cobra.Command, opts *ApplyGitHubOptions) error {
	ctx := cmd.Context()
	m, err := loadModel(ctx, opts.GlobalOptions, nil)
	if err != nil {
		return err
	}
	envs, err := envNames(m, opts.Env)
	if err != nil {
		return err
	}
	spec := ""
	if m.Platform.GitHub != nil {
		spec = m.Platform.GitHub.Repository
	}
	repo, err := opts.repo(spec)
	if err != nil {
		return err
	}
	client, err := opts.client()
	if err != nil {
		return err
	}
	report, err := githubapi.ApplyPlatform(ctx, client, repo, m, envs, githubapi.PlatformOptions{
		EnvironmentOptions: githubapi.EnvironmentOptions{AllowAdminBypass: opts.AllowAdminBypass},
		Branches:           opts.Branches,
	})
	if err != nil {
		return err
	}
	if !opts.Quiet {
		fmt.Fprint(opts.IO.Out, report.String())
	}
	return nil
}
