package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/govctl/govctl/schema"
)

// loadModel loads the spec dir named by a positional argument or --dir.
func loadModel(ctx context.Context, g *GlobalOptions, args []string) (*schema.Model, error) {
	dir := g.Dir
	if len(args) > 0 {
		dir = args[0]
	}
	if g.NoCache {
		return schema.Load(ctx, dir)
	}
	return schema.LoadCached(ctx, dir, cacheOptions())
}

// cacheOptions places the model cache under the user cache dir
// (os.UserCacheDir()/govctl) and ties its entries to this very binary, so
// that a rebuilt govctl never reads what another build wrote. No cache
// dir (no $HOME) means no cache.
func cacheOptions() schema.CacheOptions {
	root, err := os.UserCacheDir()
	if err != nil {
		return schema.CacheOptions{}
	}
	v, c, d := buildVersion()
	version := v + " " + c + " " + d
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			version += fmt.Sprintf(" %s %d %d", exe, st.Size(), st.ModTime().UnixNano())
		}
	}
	return schema.CacheOptions{Dir: filepath.Join(root, "govctl"), Version: version}
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
