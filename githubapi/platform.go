package githubapi

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"

	"github.com/govctl/govctl/schema"
)

// PlatformOptions tunes ApplyPlatform.
type PlatformOptions struct {
	EnvironmentOptions
	// Branches are the branch name patterns allowed to deploy to every
	// environment; empty means only protected branches may deploy.
	Branches []string
}

// ProtectionOf is what an environment's spec asks GitHub to enforce:
// approvals by distinct people among its reviewers (never by whoever started
// the run), its wait timer, and the deployment branches.
func ProtectionOf(e *schema.Environment, branches []string) EnvironmentProtection {
	return EnvironmentProtection{
		Name:              e.Name,
		Approvals:         e.Approvals,
		Reviewers:         e.Reviewers,
		WaitTimer:         e.WaitTimer.D(),
		Branches:          branches,
		PreventSelfReview: e.Approvals > 0,
	}
}

// ApplyPlatform protects the environments envs of m in repo as their specs
// ask (ProtectionOf), through ApplyEnvironments: this is `govctl apply
// github`.
func ApplyPlatform(ctx context.Context, client *gh.Client, repo string, m *schema.Model, envs []string, opts PlatformOptions) (Report, error) {
	prot := make([]EnvironmentProtection, 0, len(envs))
	for _, name := range envs {
		e, ok := m.Environments[name]
		if !ok {
			return Report{Repo: repo}, fmt.Errorf("apply github: unknown environment %q", name)
		}
		prot = append(prot, ProtectionOf(e, opts.Branches))
	}
	return ApplyEnvironments(ctx, client, repo, prot, opts.EnvironmentOptions)
}
