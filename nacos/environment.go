package nacos

import (
	"context"
	"fmt"

	rnacos "github.com/govctl/govctl/render/nacos"
	"github.com/govctl/govctl/schema"
)

// ApplyEnvironment is `govctl apply nacos`: it renders the config entries
// of environment env of m (render/nacos.Entries) and makes them live on
// store with Apply. An environment with no entries is an error, not an
// empty success: applying nothing must not look like a green run.
func ApplyEnvironment(ctx context.Context, store ConfigStore, m *schema.Model, env string, opts ApplyOptions) (Report, error) {
	if _, err := m.Resolve(env); err != nil {
		return Report{DryRun: opts.DryRun}, err
	}
	byEnv, err := rnacos.Entries(m, []string{env})
	if err != nil {
		return Report{DryRun: opts.DryRun}, err
	}
	entries := byEnv[env]
	if len(entries) == 0 {
		return Report{DryRun: opts.DryRun}, fmt.Errorf("environment %s has no Nacos entries (platform.configCenter.kind is %q)", env, m.Platform.ConfigCenter.Kind)
	}
	return Apply(ctx, store, entries, opts)
}
