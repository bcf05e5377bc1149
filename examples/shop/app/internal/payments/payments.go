// Package payments is the shop's payment service on kit.
package payments

import (
	"context"
	"sync/atomic"

	"github.com/go-kratos/kratos/v2/errors"

	"github.com/govctl/govctl/examples/shop/app/internal/httpapi"
	"github.com/govctl/govctl/kit"
	"github.com/govctl/govctl/render/kratos/conf"
)

// Options are what main decides beyond the bootstrap.
type Options struct {
	// AuthToken is the bearer token callers must present.
	AuthToken string
	// FailEvery makes every n-th charge fail as if the payment provider
	// were down (0: never); a demo and test of the callers' breakers.
	FailEvery int64
}

// Payment is a charge's state.
type Payment struct {
	Order  string `json:"order"`
	Status string `json:"status"`
}

// GetPaymentRequest names the order whose payment is asked for.
type GetPaymentRequest struct {
	Order string `json:"order"`
}

// Service is a running payments service.
type Service struct {
	*kit.App
	calls atomic.Int64
}

// Calls is how many payment requests reached the handler.
func (s *Service) Calls() int64 { return s.calls.Load() }

// New builds the service from its bootstrap.
func New(ctx context.Context, bc *conf.Bootstrap, opts Options, kitOpts ...kit.Option) (*Service, error) {
	app, err := kit.NewApp(ctx, bc, append([]kit.Option{kit.WithAuth(kit.BearerToken(opts.AuthToken))}, kitOpts...)...)
	if err != nil {
		return nil, err
	}
	s := &Service{App: app}
	httpapi.Get(app.HTTP, "/v1/payments/{order}", "/shop.payments.v1.Payments/GetPayment", func(_ context.Context, in *GetPaymentRequest) (any, error) {
		n := s.calls.Add(1)
		if opts.FailEvery > 0 && n%opts.FailEvery == 0 {
			return nil, errors.ServiceUnavailable("PAYMENT_PROVIDER_DOWN", "the payment provider did not answer")
		}
		return &Payment{Order: in.Order, Status: "PAID"}, nil
	})
	return s, nil
}
