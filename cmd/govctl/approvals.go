package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/govctl/govctl/githubapi"
)

// newApprovalsCmd is the hidden command deploy workflows run after the
// chained approval jobs: GitHub requires one approval per environment, so
// N distinct approvers are checked here.
func newApprovalsCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	root := &cobra.Command{Use: "approvals", Hidden: true, Short: "Approval checks used by rendered workflows"}
	var (
		gopts GitHubOptions
		runID int64
		envs  []string
		want  int
	)
	verify := &cobra.Command{
		Use:     "verify --run-id ID --environments a,b --want N",
		Short:   "Fail unless N distinct people approved the run's gated environments",
		Example: `  govctl approvals verify --run-id "$GITHUB_RUN_ID" --environments prod,prod-approval-2 --want 2`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runID == 0 || len(envs) == 0 || want < 1 {
				return errors.New("approvals verify needs --run-id, --environments and --want")
			}
			repo, err := gopts.repo("")
			if err != nil {
				return err
			}
			client, err := gopts.client()
			if err != nil {
				return err
			}
			if err := githubapi.VerifyDistinctApprovals(cmd.Context(), client, repo, runID, envs, want); err != nil {
				return err
			}
			if !g.Quiet {
				fmt.Fprintf(io.Out, "%d distinct approvals for %v: ok\n", want, envs)
			}
			return nil
		},
	}
	gopts.addFlags(verify)
	verify.Flags().Int64Var(&runID, "run-id", 0, "workflow run id ($GITHUB_RUN_ID)")
	verify.Flags().StringSliceVar(&envs, "environments", nil, "gated environments of this deployment")
	verify.Flags().IntVar(&want, "want", 0, "distinct approvers required")
	root.AddCommand(verify)
	return root
}
