package main

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/go-kratos/kratos/v2/errors"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/go-kratos/kratos/v2/middleware/logging"
	"github.com/go-kratos/kratos/v2/middleware/metadata"
	"github.com/go-kratos/kratos/v2/middleware/metrics"
	"github.com/go-kratos/kratos/v2/middleware/recovery"
	"github.com/go-kratos/kratos/v2/middleware/selector"
	"github.com/go-kratos/kratos/v2/middleware/tracing"
	"github.com/go-kratos/kratos/v2/middleware/validate"
	"github.com/go-kratos/kratos/v2/transport"
	"golang.org/x/time/rate"

	"github.com/govctl/govctl/render/kratos/conf"
)

// healthOperationPrefix is the gRPC health service's operations, which load
// balancers and registries call without credentials.
const healthOperationPrefix = "/grpc.health.v1.Health/"

// errRateLimited is the error of Kratos' own ratelimit middleware.
var errRateLimited = errors.New(429, "RATELIMIT", "service unavailable due to rate limit exceeded")

// serverMiddleware builds the middleware chain in the bootstrap's order,
// outermost first, for both servers.
func serverMiddleware(bc *conf.Bootstrap, logger log.Logger, tel *telemetry, token string) ([]middleware.Middleware, error) {
	var chain []middleware.Middleware
	for _, name := range bc.Middleware {
		switch name {
		case "recovery":
			chain = append(chain, recovery.Recovery())
		case "tracing":
			chain = append(chain, tracing.Server(tracing.WithTracerProvider(tel.tracer)))
		case "logging":
			chain = append(chain, logging.Server(logger))
		case "metrics":
			chain = append(chain, metrics.Server(metrics.WithRequests(tel.requests), metrics.WithSeconds(tel.seconds)))
		case "auth":
			chain = append(chain, selector.Server(bearerAuth(token)).Match(func(_ context.Context, operation string) bool {
				return !strings.HasPrefix(operation, healthOperationPrefix)
			}).Build())
		case "ratelimit":
			if bc.RateLimit == nil {
				return nil, fmt.Errorf("middleware ratelimit: the config has no rate_limit")
			}
			chain = append(chain, rateLimit(*bc.RateLimit))
		case "validate":
			chain = append(chain, validate.Validator())
		case "metadata":
			chain = append(chain, metadata.Server())
		case "circuitbreaker":
			// Kratos' breaker is client middleware (circuitbreaker.Client),
			// applied per dependency with the settings under clients.
			continue
		default:
			return nil, fmt.Errorf("middleware %q: not a Kratos middleware this service knows", name)
		}
	}
	return chain, nil
}

// bearerAuth admits requests carrying "Authorization: Bearer <token>". It
// stands in for Kratos' jwt middleware, which needs a key infrastructure
// this example does not have. An empty token admits nothing.
func bearerAuth(token string) middleware.Middleware {
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, ok := transport.FromServerContext(ctx)
			if !ok {
				return nil, errors.Unauthorized("UNAUTHORIZED", "no transport in context")
			}
			got, found := strings.CutPrefix(tr.RequestHeader().Get("Authorization"), "Bearer ")
			if !found || token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				return nil, errors.Unauthorized("UNAUTHORIZED", "missing or invalid bearer token")
			}
			return next(ctx, req)
		}
	}
}

// rateLimit limits requests per instance with the spec's algorithm. Kratos'
// middleware/ratelimit is adaptive (BBR, CPU-driven), not the fixed-rate
// bucket the spec asks for, so the buckets are golang.org/x/time/rate's:
// token_bucket admits bursts up to burst and rejects beyond; leaky_bucket
// drains at rps with room for burst waiting requests, and rejects what
// would wait longer. A redis backend is not available here; the limit is
// then per instance.
func rateLimit(rl conf.RateLimit) middleware.Middleware {
	if rl.Algorithm == "leaky_bucket" {
		limiter := rate.NewLimiter(rate.Limit(rl.RPS), 1)
		maxWait := time.Duration(float64(rl.Burst) / float64(rl.RPS) * float64(time.Second))
		return func(next middleware.Handler) middleware.Handler {
			return func(ctx context.Context, req any) (any, error) {
				r := limiter.Reserve()
				delay := r.Delay()
				if delay > maxWait {
					r.Cancel()
					return nil, errRateLimited
				}
				if delay > 0 {
					t := time.NewTimer(delay)
					defer t.Stop()
					select {
					case <-ctx.Done():
						r.Cancel()
						return nil, ctx.Err()
					case <-t.C:
					}
				}
				return next(ctx, req)
			}
		}
	}
	limiter := rate.NewLimiter(rate.Limit(rl.RPS), rl.Burst)
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			if !limiter.Allow() {
				return nil, errRateLimited
			}
			return next(ctx, req)
		}
	}
}
