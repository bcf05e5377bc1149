package main

import (
	"errors"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/govctl/govctl/plan"
	"github.com/govctl/govctl/render"
	rnacos "github.com/govctl/govctl/render/nacos"
	"github.com/govctl/govctl/render/targets"
)

func newDiffCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	var (
		out      string
		tflags   []string
		exitCode bool
	)
	cmd := &cobra.Command{
		Use:   "diff --out DIR",
		Short: "Unified diff of freshly rendered files against an output directory",
		Long: `Diff renders the spec and prints a unified diff against the files in --out,
as govctl render would change them, without writing anything. Files govctl
would prune are shown as deleted.`,
		Example: `  govctl diff --out deploy/
  govctl diff --out deploy/ --env prod --target istio --exit-code`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("diff needs --out DIR")
			}
			ts, err := targets.Parse(tflags)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			m, err := loadModel(ctx, g, nil)
			if err != nil {
				return err
			}
			envs, err := envNames(m, g.Env)
			if err != nil {
				return err
			}
			topts, assumed := targetOptions(m.Dir, ts)
			objs, err := targets.Render(ctx, m, envs, topts)
			if err != nil {
				return err
			}
			noteAssumedRoot(g, io, m.Dir, topts, assumed)
			secrets, err := modelSecrets(io, m)
			if err != nil {
				return err
			}
			scope := render.ScopeFor(ts, g.Env)
			res, err := plan.Diff(ctx, io.Out, out, objs, plan.DiffOptions{Scope: scope, Color: !color.NoColor,
				Redact: rnacos.Redactor(m, secrets, objs)})
			if err != nil {
				return err
			}
			if exitCode && res.HasChanges() {
				return errSilent
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "output directory to compare with (required)")
	cmd.Flags().StringSliceVarP(&tflags, "target", "t", nil, "limit to these targets")
	cmd.Flags().BoolVar(&exitCode, "exit-code", false, "exit 1 when there are differences (as git diff --exit-code)")
	return cmd
}
