// Package orderslite is the shop's read-only order view, orders' fallback
// while orders is degraded.
package orderslite

import (
	"context"

	"github.com/govctl/govctl/examples/shop/app/internal/httpapi"
	"github.com/govctl/govctl/kit"
	"github.com/govctl/govctl/render/kratos/conf"
)

// Order is the read-only view of an order.
type Order struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Source string `json:"source"`
}

// GetOrderRequest names an order.
type GetOrderRequest struct {
	ID string `json:"id"`
}

// New builds the service from its bootstrap.
func New(ctx context.Context, bc *conf.Bootstrap, kitOpts ...kit.Option) (*kit.App, error) {
	app, err := kit.NewApp(ctx, bc, kitOpts...)
	if err != nil {
		return nil, err
	}
	httpapi.Get(app.HTTP, "/v1/orders/{id}", "/shop.orderslite.v1.OrdersLite/GetOrder", func(_ context.Context, in *GetOrderRequest) (any, error) {
		// The view keeps no store: every order it is asked for is placed,
		// as far as the cache knows.
		return &Order{ID: in.ID, Status: "PLACED", Source: bc.Service.Name}, nil
	})
	return app, nil
}
