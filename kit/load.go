// Package kit is the runtime half of govctl: a Kratos v2 service imports it
// to enforce, inside the process, what its rendered bootstrap (config.yaml,
// the types of github.com/govctl/govctl/render/kratos/conf) says: the
// ordered server middleware chain, per-dependency deadlines, circuit
// breakers and app-owned retries, the NORMAL → WARN → DEGRADED → FATAL
// degradation ladder with its fallback, token and leaky buckets (per
// instance or shared through Redis), registration with the platform's
// registry, hot reload from the config centre and metrics whose labels join
// the mesh's.
//
// kit is its own Go module so that a service importing it compiles neither
// CUE nor OPA: from govctl it imports only render/kratos/conf, which is
// standard library only.
package kit

import (
	"fmt"

	"github.com/go-kratos/kratos/v2/config"
	"github.com/go-kratos/kratos/v2/config/file"

	"github.com/govctl/govctl/render/kratos/conf"
)

// Load reads a rendered config.yaml the way every Kratos service does
// (config.New with a file source, Load, Scan) into a conf.Bootstrap.
func Load(path string) (*conf.Bootstrap, error) {
	c := config.New(config.WithSource(file.NewSource(path)))
	defer c.Close()
	if err := c.Load(); err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	var bc conf.Bootstrap
	if err := c.Scan(&bc); err != nil {
		return nil, fmt.Errorf("scan config %s: %w", path, err)
	}
	if bc.Service.Name == "" {
		return nil, fmt.Errorf("config %s: service.name is empty; is this a govctl-rendered bootstrap?", path)
	}
	return &bc, nil
}
