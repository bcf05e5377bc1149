package main

import (
	"context"

	"github.com/govctl/govctl/schema"
)

// loadModel loads the spec dir named by a positional argument or --dir.
func loadModel(ctx context.Context, g *GlobalOptions, args []string) (*schema.Model, error) {
	dir := g.Dir
	if len(args) > 0 {
		dir = args[0]
	}
	return schema.Load(ctx, dir)
}

// envNames is the environment named by --env, or every environment in
// promotion order.
func envNames(m *schema.Model, env string) ([]string, error) {
	if env == "" {
		return m.EnvironmentNames(), nil
	}
	if _, err := m.Resolve(env); err != nil {
		return nil, err
	}
	return []string{env}, nil
}
