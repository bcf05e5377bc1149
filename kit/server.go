package kit

import (
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"

	"github.com/go-kratos/kratos/v2/errors"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/go-kratos/kratos/v2/middleware/logging"
	"github.com/go-kratos/kratos/v2/middleware/metadata"
	"github.com/go-kratos/kratos/v2/middleware/recovery"
	"github.com/go-kratos/kratos/v2/middleware/tracing"
	"github.com/go-kratos/kratos/v2/middleware/validate"
	"github.com/go-kratos/kratos/v2/transport"

	"github.com/govctl/govctl/render/kratos/conf"
)

// healthOperationPrefix is the gRPC health service's operations, which load
// balancers and registries call without credentials.
const healthOperationPrefix = "/grpc.health.v1.Health/"

// ServerMiddleware returns the server chain of bc, outermost first, for
// both of the service's servers (http.Middleware(m...), grpc.Middleware(m...)),
// or for any middleware.Handler: the chain needs no transport in the
// context.
//
// The steps are bc.Middleware's names in their order:
//
//   - recovery: a panic becomes a 500 (Kratos' recovery).
//   - tracing: a server span (Kratos' tracing, WithTracerProvider).
//   - logging: one line per request with trace.id and span.id (Kratos'
//     logging, WithLogger).
//   - metrics: kit_requests_total and kit_request_duration_milliseconds
//     with Istio's labels, reporter=destination.
//   - auth: the middleware of WithAuth, except on the gRPC health service;
//     naming auth without WithAuth is an error.
//   - ratelimit: rate_limit's bucket, RATELIMIT (429) beyond it.
//   - validate: a request with a Validate() error method is checked (Kratos').
//   - metadata: Kratos metadata propagation.
//   - circuitbreaker: contributes no server step: breakers stand in front of
//     each dependency, in ClientMiddleware, with the settings of clients.
//
// What the bootstrap configures but the chain does not name is enforced
// all the same, innermost (after auth, so that an unauthenticated flood
// takes no tokens): a rate_limit without "ratelimit" in the list, then the
// degradation ladder when the bootstrap has degradation (Ladder). An unknown
// name is an error.
func ServerMiddleware(bc *conf.Bootstrap, opts ...Option) ([]middleware.Middleware, error) {
	return serverMiddleware(bc, buildOptions(opts))
}

func serverMiddleware(bc *conf.Bootstrap, o *options) ([]middleware.Middleware, error) {
	m := newMetrics(o.registerer)
	ladder := o.ladder
	if ladder == nil {
		ladder = newLadder(bc, o, m)
	}
	logger := log.With(o.logger, "trace.id", tracing.TraceID(), "span.id", tracing.SpanID())
	// The ladder goes into the context first, so that every step, the
	// handler and the client chains it calls see the level.
	chain := []middleware.Middleware{func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			return next(withLadder(ctx, ladder), req)
		}
	}}
	var limiter Limiter
	rateLimit := func() error {
		if bc.RateLimit == nil {
			return fmt.Errorf("middleware ratelimit: the config has no rate_limit")
		}
		if limiter == nil {
			limiter = o.limiter
		}
		if limiter == nil {
			l, err := newLimiter(bc, o)
			if err != nil {
				return err
			}
			limiter = l
		}
		chain = append(chain, exceptHealth(rateLimitStep(bc, limiter, m, logger)))
		return nil
	}
	for i, name := range bc.Middleware {
		if slices.Contains(bc.Middleware[:i], name) {
			return nil, fmt.Errorf("middleware[%d] %q: listed twice", i, name)
		}
		switch name {
		case "recovery":
			chain = append(chain, recovery.Recovery())
		case "tracing":
			var topts []tracing.Option
			if o.tracer != nil {
				topts = append(topts, tracing.WithTracerProvider(o.tracer))
			}
			chain = append(chain, tracing.Server(topts...))
		case "logging":
			chain = append(chain, logging.Server(logger))
		case "metrics":
			dst := self(bc)
			chain = append(chain, requestMetrics(m, "destination", func(ctx context.Context) (peer, peer) {
				return sourceFromHeaders(ctx), dst
			}))
		case "auth":
			if o.auth == nil {
				return nil, fmt.Errorf("middleware auth: no authenticator; pass kit.WithAuth (for example kit.BearerToken)")
			}
			chain = append(chain, exceptHealth(o.auth))
		case "ratelimit":
			if err := rateLimit(); err != nil {
				return nil, err
			}
		case "validate":
			chain = append(chain, validate.Validator())
		case "metadata":
			chain = append(chain, metadata.Server())
		case "circuitbreaker":
			// Breakers are per dependency: ClientMiddleware.
		default:
			return nil, fmt.Errorf("middleware[%d] %q: unknown; kit knows recovery, tracing, logging, metrics, auth, ratelimit, validate, metadata, circuitbreaker", i, name)
		}
	}
	if bc.RateLimit != nil && !slices.Contains(bc.Middleware, "ratelimit") {
		if err := rateLimit(); err != nil {
			return nil, err
		}
	}
	if bc.Degradation != nil {
		chain = append(chain, exceptHealth(degradationStep(bc, ladder, o.fallback, m, logger)))
	}
	return chain, nil
}

// exceptHealth applies m to every operation but the gRPC health service's:
// the registry's and the kubelet's probes carry no credentials, must not
// take rate-limit tokens, and report the instance's health, not its
// degradation level (the HTTP health endpoint is outside the chain anyway).
// (Kratos' selector is not used: it skips its middleware on a context
// without a transport, which would leave a plain-context chain
// unauthenticated and unlimited.)
func exceptHealth(m middleware.Middleware) middleware.Middleware {
	return func(next middleware.Handler) middleware.Handler {
		guarded := m(next)
		return func(ctx context.Context, req any) (any, error) {
			if tr, ok := transport.FromServerContext(ctx); ok && strings.HasPrefix(tr.Operation(), healthOperationPrefix) {
				return next(ctx, req)
			}
			return guarded(ctx, req)
		}
	}
}

// degradationStep is the ladder around the handler: the handler's outcomes
// set the level; at DEGRADED and FATAL the fallback answers within
// fallback_timeout; at FATAL without a fallback the request is shed.
func degradationStep(bc *conf.Bootstrap, ladder *Ladder, fallback middleware.Handler, m *metrics, logger log.Logger) middleware.Middleware {
	timeout := bc.Degradation.FallbackTimeout.Std()
	served, failed := m.fallbacks.WithLabelValues(bc.Service.Name, "server", "served"), m.fallbacks.WithLabelValues(bc.Service.Name, "server", "failed")
	helper := log.NewHelper(logger)
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			lvl := ladder.Level()
			if lvl >= Degraded && fallback != nil {
				fctx, cancel := ctx, context.CancelFunc(func() {})
				if timeout > 0 {
					fctx, cancel = context.WithTimeout(ctx, timeout)
				}
				defer cancel()
				reply, err := fallback(fctx, req)
				if err != nil {
					failed.Inc()
					helper.WithContext(ctx).Warnf("degradation %s: fallback %s failed: %v", lvl, bc.Degradation.FallbackTo, err)
					return nil, err
				}
				served.Inc()
				return reply, nil
			}
			if lvl == Fatal {
				return nil, ErrFatal
			}
			reply, err := next(ctx, req)
			ladder.Observe(err)
			return reply, err
		}
	}
}

// BearerToken is an auth step (WithAuth) admitting requests whose
// Authorization header is "Bearer <token>". An empty token admits nothing.
func BearerToken(token string) middleware.Middleware {
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
