package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/targets"
)

// LintOptions are the inputs of govctl lint.
type LintOptions struct {
	*GlobalOptions
	IO             *IOStreams
	Files          []string
	Format         string
	FailOn         string
	ShowSuppressed bool
	PrintInput     bool
	Now            string
	Timeout        time.Duration
	PathPrefix     string
	NoObjects      bool
}

func newLintCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	opts := &LintOptions{GlobalOptions: g, IO: io}
	cmd := &cobra.Command{
		Use:   "lint [dir] [files...]",
		Short: "Check the spec and its rendered output against governance rules (Rego)",
		Long: `Lint evaluates the built-in rule catalog (govctl rules) and the spec's own
policies/*.rego against each environment: the resolved model and the rendered
objects. Findings name the file:line:col of the spec field at fault. The
spec's policies block sets which rules apply, how strictly and with which
parameters; exceptions in a service's spec suppress a finding until they
expire.

A first argument that is a directory is the spec directory, as for
validate (the same as --dir). With file arguments (a pre-commit hook passes
the changed files), only findings about those files are reported; a file
that does not exist is an error, and a file that is not part of the spec
is named as skipped. When none is part of the spec, lint fails: it checked
nothing. Rules see the services those files
set and every service connected to them through dependencies and fallbacks,
which decide those findings, so a one-file lint of a large platform stays
fast; a file that sets the platform, an environment or the policies block,
or a custom policy without METADATA custom.reads: connected, brings the
whole platform back in.

Exit status: 1 when a finding is at or above --fail-on (default: the spec's
policies.failOn, else error).`,
		Example: `  govctl lint
  govctl lint platform/
  govctl lint --env prod --format sarif > lint.sarif
  govctl lint --format github
  govctl lint services/orders.cue
  govctl lint --print-input --env prod`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			return lintRun(cmd, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: "+strings.Join(lint.Formats, ", "))
	f.StringVar(&opts.FailOn, "fail-on", "", "lowest severity that fails: error, warning or info (default policies.failOn, else error)")
	f.BoolVar(&opts.ShowSuppressed, "show-suppressed", false, "also show findings that a live exception suppresses")
	f.BoolVar(&opts.PrintInput, "print-input", false, "print the JSON input document rules see (needs --env) and exit")
	f.StringVar(&opts.Now, "now", "", "the time rules and exception expiry use, RFC 3339 (default: the clock)")
	f.DurationVar(&opts.Timeout, "timeout", lint.DefaultTimeout, "evaluation time limit")
	f.StringVar(&opts.PathPrefix, "path-prefix", "", "prefix for file paths in the report (SARIF and annotations need paths from the repository root; default --dir)")
	f.BoolVar(&opts.NoObjects, "no-objects", false, "skip rendering; rules over rendered objects are not run")
	return cmd
}

func lintRun(cmd *cobra.Command, opts *LintOptions) error {
	ctx := cmd.Context()
	reporter, err := lint.NewReporter(opts.Format, lint.ReportOptions{
		Color:          !color.NoColor && opts.Format == "text",
		ShowSuppressed: opts.ShowSuppressed,
		PathPrefix:     opts.PathPrefix,
		ToolVersion:    shortVersion(),
	})
	if err != nil && !opts.PrintInput {
		return err
	}
	now := time.Now().UTC()
	if opts.Now != "" {
		if now, err = time.Parse(time.RFC3339, opts.Now); err != nil {
			return fmt.Errorf("--now %q: want RFC 3339, e.g. 2026-11-25T00:00:00Z", opts.Now)
		}
	}
	la, err := parseLintArgs(opts.Files, cmd.Flags().Changed("dir"), opts.Dir)
	if err != nil {
		return err
	}
	var dirArgs []string
	if la.Dir != "" {
		dirArgs = []string{la.Dir}
	}
	m, err := loadModel(ctx, opts.GlobalOptions, dirArgs)
	if err != nil {
		return err
	}
	// Findings reach CI logs and code scanning: a custom policy's message
	// quoting a secret, or --print-input, shows it as a marker.
	if _, err := modelSecrets(opts.IO, m); err != nil {
		return err
	}
	envs, err := envNames(m, opts.Env)
	if err != nil {
		return err
	}
	opts.Files = nil
	if len(la.Files) > 0 {
		part, skipped := specFiles(m, la.Files)
		for _, f := range skipped {
			fmt.Fprintf(opts.IO.ErrOut, "govctl: skipping %s: not a spec file (.cue) or policy (policies/*.rego) of the spec in %s\n", f, m.Dir)
		}
		if len(part) == 0 {
			// Reporting on nothing must not look like a clean lint.
			return fmt.Errorf("nothing to lint: none of the %d file%s given is part of the spec in %s (lint the whole spec with no file arguments)", len(la.Files), plural(len(la.Files)), m.Dir)
		}
		opts.Files = part
	}
	if len(opts.Files) > 0 && !opts.PrintInput {
		// Only findings about the files are reported: the services they
		// set and those connected to them decide those findings.
		if m, err = lint.Focus(m, opts.Files); err != nil {
			return err
		}
	}
	// Rules over rendered objects (route subsets, allow-all policies) need
	// the output; nil objects skip them and the report says so.
	var objs []render.Object
	if !opts.NoObjects {
		if objs, err = targets.Render(ctx, m, envs, specDirOptions(m.Dir)); err != nil {
			return err
		}
	}
	if opts.PrintInput {
		if opts.Env == "" {
			return errors.New("--print-input needs --env: the input document is per environment")
		}
		doc, err := lint.Input(m, opts.Env, objs, now)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	lopts := lint.Options{Now: now, Objects: objs, Files: opts.Files, Timeout: opts.Timeout}
	if opts.Env != "" {
		lopts.Environments = envs
	}
	if opts.FailOn != "" {
		if lopts.FailOn, err = lint.ParseSeverity(opts.FailOn); err != nil {
			return fmt.Errorf("--fail-on: %w", err)
		}
	}
	res, err := lint.Lint(ctx, m, lopts)
	if err != nil {
		return err
	}
	if err := reporter.Report(opts.IO.Out, res); err != nil {
		return err
	}
	if res.Failed() {
		return errSilent
	}
	return nil
}
