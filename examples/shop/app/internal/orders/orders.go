// Package orders is the shop's order service on kit: it asks payments about
// each order through kit's client chain (deadline, breaker), answers from
// orders-lite while the degradation ladder says so, and reads its checkout
// settings from its Nacos entry, hot reloaded.
package orders

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/go-kratos/kratos/v2/config"
	kerrors "github.com/go-kratos/kratos/v2/errors"
	khttp "github.com/go-kratos/kratos/v2/transport/http"

	"github.com/govctl/govctl/examples/shop/app/internal/httpapi"
	"github.com/govctl/govctl/kit"
	"github.com/govctl/govctl/render/kratos/conf"
)

// Options are what main decides beyond the bootstrap.
type Options struct {
	// AuthToken is the bearer token callers must present.
	AuthToken string
	// ClientToken is the token orders presents to payments.
	ClientToken string
}

// Order is the API's view of an order.
type Order struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Payment string `json:"payment,omitempty"`
	// Source is the service that answered: orders, or orders-lite while
	// orders is degraded.
	Source string `json:"source"`
	// Level is orders' degradation level when it answered itself.
	Level string `json:"level,omitempty"`
}

// GetOrderRequest names an order.
type GetOrderRequest struct {
	ID string `json:"id"`
}

// Settings are the checkout settings of the Nacos entry.
type Settings struct {
	HoldMinutes int64 `json:"holdMinutes"`
}

type settingsRequest struct{}

type payment struct {
	Status string `json:"status"`
}

// Service is a running orders service.
type Service struct {
	*kit.App
	config      config.Config
	payments    *khttp.Client
	lite        *khttp.Client
	holdMinutes atomic.Int64
}

// New builds the service from its bootstrap: the app, its clients of
// payments and of the fallback, and its config from the config centre.
func New(ctx context.Context, bc *conf.Bootstrap, opts Options, kitOpts ...kit.Option) (_ *Service, err error) {
	s := &Service{}
	cleanup := func() {
		if err != nil {
			s.Close()
		}
	}
	defer cleanup()
	fallback := func(ctx context.Context, req any) (any, error) {
		in, ok := req.(*GetOrderRequest)
		if !ok || s.lite == nil {
			return nil, kerrors.ServiceUnavailable("DEGRADED", "orders is degraded and its fallback serves only GetOrder")
		}
		var o Order
		if err := s.lite.Invoke(ctx, "GET", "/v1/orders/"+in.ID, nil, &o); err != nil {
			return nil, err
		}
		return &o, nil
	}
	app, err := kit.NewApp(ctx, bc, append([]kit.Option{kit.WithAuth(kit.BearerToken(opts.AuthToken)), kit.WithFallback(fallback)}, kitOpts...)...)
	if err != nil {
		return nil, err
	}
	s.App = app
	clientOpts := append(app.Options(), kit.WithClientMiddleware(kit.BearerTokenClient(opts.ClientToken)))
	if s.payments, err = kit.HTTPClient(ctx, bc, "payments", clientOpts...); err != nil {
		return nil, err
	}
	if d := bc.Degradation; d != nil && d.FallbackTo != "" {
		if s.lite, err = kit.HTTPClient(ctx, bc, d.FallbackTo, app.Options()...); err != nil {
			return nil, fmt.Errorf("fallback %s: %w", d.FallbackTo, err)
		}
	}
	if bc.ConfigCenter != nil {
		if s.config, err = kit.LoadConfig(bc, kitOpts...); err != nil {
			return nil, err
		}
		v := s.config.Value("checkout.holdMinutes")
		n, err := v.Int()
		if err != nil {
			return nil, fmt.Errorf("checkout.holdMinutes: %w", err)
		}
		s.holdMinutes.Store(n)
		if err := s.config.Watch("checkout.holdMinutes", func(_ string, v config.Value) {
			if n, err := v.Int(); err == nil {
				s.holdMinutes.Store(n)
			}
		}); err != nil {
			return nil, err
		}
	}
	httpapi.Get(app.HTTP, "/v1/orders/{id}", "/shop.orders.v1.Orders/GetOrder", s.getOrder)
	httpapi.Get(app.HTTP, "/v1/checkout/settings", "/shop.orders.v1.Orders/GetSettings", func(context.Context, *settingsRequest) (any, error) {
		return &Settings{HoldMinutes: s.holdMinutes.Load()}, nil
	})
	return s, nil
}

func (s *Service) getOrder(ctx context.Context, in *GetOrderRequest) (any, error) {
	var p payment
	if err := s.payments.Invoke(ctx, "GET", "/v1/payments/"+in.ID, nil, &p); err != nil {
		return nil, err
	}
	return &Order{ID: in.ID, Status: "PLACED", Payment: p.Status, Source: "orders", Level: kit.LevelFromContext(ctx).String()}, nil
}

// Close releases the clients and stops watching the config.
func (s *Service) Close() error {
	var errs []error
	for _, c := range []*khttp.Client{s.payments, s.lite} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	if s.config != nil {
		errs = append(errs, s.config.Close())
	}
	return errors.Join(errs...)
}
