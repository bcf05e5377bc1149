package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/render/targets"
)

// ValidateOptions are the inputs of govctl validate.
type ValidateOptions struct {
	*GlobalOptions
	IO   *IOStreams
	Args []string
}

func newValidateCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	opts := &ValidateOptions{GlobalOptions: g, IO: io}
	return &cobra.Command{
		Use:   "validate [dir]",
		Short: "Check that a spec is valid and that every target renders it",
		Long: `Validate loads every .cue file of the spec directory (subdirectories
included, cue.mod excluded), unifies it with govctl's schema, resolves each
service in each environment and checks the result again. It then runs every
renderer (Istio, Kratos, Nacos, GitHub Actions) in memory, writing nothing,
so "valid" means that ` + "`govctl render`" + ` succeeds: a value a target cannot
express (a burst Envoy cannot hold, a duration Istio cannot take, a canary
longer than a GitHub job may run) is an error at the spec field. Every error
is printed with the file:line:col that caused it.`,
		Example: `  govctl validate
  govctl validate examples/shop
  govctl validate --dir platform/ --env prod`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			return validateRun(cmd, opts)
		},
	}
}

func validateRun(cmd *cobra.Command, opts *ValidateOptions) error {
	m, err := loadModel(cmd.Context(), opts.GlobalOptions, opts.Args)
	if err != nil {
		return err
	}
	envs, err := envNames(m, opts.Env)
	if err != nil {
		return err
	}
	// The policies block configures lint: an unknown rule id or parameter
	// would silently leave a team's policy off. Every renderer runs in
	// memory, so "valid" means render succeeds. Both are reported at once.
	_, policyErr := lint.Rules(cmd.Context(), m, lint.Options{})
	renderErr := targets.Validate(cmd.Context(), m, envs, specDirOptions(m.Dir))
	if err := errors.Join(policyErr, renderErr); err != nil {
		return err
	}
	if !opts.Quiet {
		fmt.Fprintf(opts.IO.Out, "%d service%s, %d environment%s: valid\n",
			len(m.Services), plural(len(m.Services)), len(envs), plural(len(envs)))
	}
	return nil
}
