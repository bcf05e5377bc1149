package kit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/go-kratos/kratos/v2/middleware/tracing"
	"github.com/go-kratos/kratos/v2/transport"

	"github.com/govctl/govctl/render/kratos/conf"
)

// ClientMiddleware returns the chain for calls to dependency, one of
// bc.Clients, outermost first, for a Kratos client (grpc.WithMiddleware,
// http.WithMiddleware) or any middleware.Handler:
//
//   - metrics: kit_requests_total and kit_request_duration_milliseconds
//     with Istio's labels, reporter=source, when the server chain has
//     metrics; and tracing, a client span, when it has tracing;
//   - the caller's identity in x-kit-source-* request headers, when the
//     context has a client transport, for the server's source_* labels;
//   - degradation: an optional dependency is not called while the service
//     is DEGRADED or FATAL, and its failure is degraded around: the call
//     returns a nil reply and no error (a Kratos client leaves its reply
//     zero); with WithFallback a failed call is answered by the fallback
//     within fallback_timeout;
//   - the deadline: clients.<dep>.timeout, retries included; a call to
//     degradation.fallback_to is also bounded by fallback_timeout;
//   - the circuit breaker of clients.<dep>.circuit_breaker, failing fast
//     with CIRCUITBREAKER (503) while open: one breaker per call to this
//     function, shared by every call through the chain;
//   - retries, only when clients.<dep>.retries is present, which it is only
//     when the application owns retries (by default the mesh does, and the
//     application must not retry on top of it).
func ClientMiddleware(bc *conf.Bootstrap, dependency string, opts ...Option) ([]middleware.Middleware, error) {
	return clientMiddleware(bc, dependency, buildOptions(opts))
}

func clientMiddleware(bc *conf.Bootstrap, dep string, o *options) ([]middleware.Middleware, error) {
	c, ok := bc.Clients[dep]
	if !ok {
		names := make([]string, 0, len(bc.Clients))
		for n := range bc.Clients {
			names = append(names, n)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("client %q: not in the config's clients (%s); is it a dependency of %s?", dep, strings.Join(names, ", "), bc.Service.Name)
	}
	m := newMetrics(o.registerer)
	var chain []middleware.Middleware
	if slices.Contains(bc.Middleware, "metrics") {
		src, dst := self(bc), dependencyPeer(bc, dep)
		chain = append(chain, requestMetrics(m, "source", func(context.Context) (peer, peer) { return src, dst }))
	}
	if slices.Contains(bc.Middleware, "tracing") {
		var topts []tracing.Option
		if o.tracer != nil {
			topts = append(topts, tracing.WithTracerProvider(o.tracer))
		}
		chain = append(chain, tracing.Client(topts...))
	}
	chain = append(chain, sourceHeaders(bc))

	timeout := c.Timeout.Std()
	fallbackTimeout := timeout
	if d := bc.Degradation; d != nil && d.FallbackTimeout > 0 {
		fallbackTimeout = d.FallbackTimeout.Std()
		if d.FallbackTo == dep && (timeout == 0 || fallbackTimeout < timeout) {
			timeout = fallbackTimeout
		}
	}
	if c.Optional || o.fallback != nil {
		chain = append(chain, clientDegradation(bc, dep, c.Optional, o.fallback, fallbackTimeout, m, o.logger))
	}
	if timeout > 0 {
		chain = append(chain, deadline(timeout))
	}
	if c.CircuitBreaker != nil {
		chain = append(chain, breakerStep(bc, dep, *c.CircuitBreaker, m, o.logger))
	}
	if c.Retries != nil && c.Retries.Attempts > 0 {
		chain = append(chain, retryStep(*c.Retries))
	}
	return append(chain, o.clientMW...), nil
}

// deadline bounds the rest of the chain; an earlier deadline of the caller
// stays.
func deadline(d time.Duration) middleware.Middleware {
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			return next(ctx, req)
		}
	}
}

// sourceHeaders tells the server who calls (metrics' source_* labels).
func sourceHeaders(bc *conf.Bootstrap) middleware.Middleware {
	me := self(bc)
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			if tr, ok := transport.FromClientContext(ctx); ok {
				h := tr.RequestHeader()
				h.Set(headerSourceWorkload, me.workload)
				h.Set(headerSourceNamespace, me.namespace)
				h.Set(headerSourceVersion, me.version)
			}
			return next(ctx, req)
		}
	}
}

// BearerTokenClient sends "Authorization: Bearer <token>" on calls through
// a Kratos client (WithClientMiddleware); the server's BearerToken checks it.
func BearerTokenClient(token string) middleware.Middleware {
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			if tr, ok := transport.FromClientContext(ctx); ok {
				tr.RequestHeader().Set("Authorization", "Bearer "+token)
			}
			return next(ctx, req)
		}
	}
}

func clientDegradation(bc *conf.Bootstrap, dep string, optional bool, fallback middleware.Handler, fallbackTimeout time.Duration, m *metrics, logger log.Logger) middleware.Middleware {
	helper := log.NewHelper(logger)
	skipped := m.degraded.WithLabelValues(bc.Service.Name, dep, "skipped")
	failedCalls := m.degraded.WithLabelValues(bc.Service.Name, dep, "failed")
	served, failed := m.fallbacks.WithLabelValues(bc.Service.Name, "client", "served"), m.fallbacks.WithLabelValues(bc.Service.Name, "client", "failed")
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			// The service's own fallback is never skipped: it is what
			// answers while the service is degraded.
			if optional && fallback == nil && LevelFromContext(ctx) >= Degraded && !isFallbackOf(bc, dep) {
				skipped.Inc()
				return nil, nil
			}
			reply, err := next(ctx, req)
			if !IsFailure(err) {
				return reply, err
			}
			if fallback != nil {
				fctx, cancel := ctx, context.CancelFunc(func() {})
				if fallbackTimeout > 0 {
					fctx, cancel = context.WithTimeout(ctx, fallbackTimeout)
				}
				defer cancel()
				freply, ferr := fallback(fctx, req)
				if ferr == nil {
					served.Inc()
					return freply, nil
				}
				failed.Inc()
				helper.WithContext(ctx).Warnf("call to %s failed (%v) and so did its fallback: %v", dep, err, ferr)
				if !optional {
					return nil, err
				}
			}
			failedCalls.Inc()
			helper.WithContext(ctx).Warnf("optional dependency %s failed, degrading around it: %v", dep, err)
			return nil, nil
		}
	}
}

// isFallbackOf reports whether dep is the service's degradation fallback.
func isFallbackOf(bc *conf.Bootstrap, dep string) bool {
	return bc.Degradation != nil && bc.Degradation.FallbackTo == dep
}
