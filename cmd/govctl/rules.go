package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/govctl/govctl/lint"
)

func newRulesCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the lint rules with their effective severity, parameters and scope",
		Long: `Rules lists the built-in catalog and the spec's custom policies as the spec's
policies block configures them: whether each rule is enabled, its severity,
its parameters with the file:line that set each, and where it applies.`,
		Example: `  govctl rules
  govctl rules explain GOV-TRF-002`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := loadModel(cmd.Context(), g, nil)
			if err != nil {
				return err
			}
			settings, err := lint.Rules(cmd.Context(), m, lint.Options{})
			if err != nil {
				return err
			}
			return lint.WriteRules(io.Out, m.Dir, settings)
		},
	}
	explain := &cobra.Command{
		Use:   "explain ID",
		Short: "Explain a rule: rationale, remediation, parameters and the values in force",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := loadModel(cmd.Context(), g, nil)
			if err != nil {
				return err
			}
			settings, err := lint.Rules(cmd.Context(), m, lint.Options{})
			if err != nil {
				return err
			}
			s, err := lint.FindRule(settings, args[0])
			if err != nil {
				return err
			}
			return lint.ExplainRule(io.Out, m.Dir, s)
		},
	}
	cmd.AddCommand(explain)
	return cmd
}

func newTestCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	var (
		verbose bool
		run     string
	)
	cmd := &cobra.Command{
		Use:   "test [dir]",
		Short: "Run a team's own Rego policy tests (*_test.rego)",
		Long: `Test runs the *_test.rego files of a directory (default <dir>/policies) with
OPA's tester, in the same sandbox lint uses and with every rule's default
parameters in data.govctl.params.

DIR may also be a spec directory: its policies/ directory is tested. A spec
without a policies/ directory, or a directory without *.rego files, has
nothing to test: test says so and exits 1, so that a wrong --dir never passes
in CI.`,
		Example: `  govctl test policies/
  govctl test platform/          # the spec's policies/
  govctl test -v --run deny_latest`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := filepath.Join(g.Dir, lint.PolicyDir)
			if len(args) > 0 {
				dir = args[0]
				// A spec directory, as validate and lint take it, means its
				// policies.
				if st, err := os.Stat(filepath.Join(dir, lint.PolicyDir)); err == nil && st.IsDir() {
					dir = filepath.Join(dir, lint.PolicyDir)
				}
			} else if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
				// Not a pass: with no policies nothing was tested, and a
				// wrong --dir in CI must not look like a green run.
				return fmt.Errorf("no %s/ directory in %s: nothing to test, 0 tests ran; custom policies and their *_test.rego tests live in %s (or name the directory: govctl test DIR)", lint.PolicyDir, g.Dir, dir)
			}
			results, err := lint.Test(cmd.Context(), dir, lint.TestOptions{Filter: run})
			if err != nil {
				return err
			}
			ok, err := lint.WriteTestResults(io.Out, results, verbose)
			if err != nil {
				return err
			}
			if !ok {
				return errSilent
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list every test")
	cmd.Flags().StringVar(&run, "run", "", "run only tests whose name matches this regular expression")
	return cmd
}
