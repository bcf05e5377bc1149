package kit

import (
	"time"

	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/go-kratos/kratos/v2/registry"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"
)

// Option changes what kit builds beyond what the bootstrap says: what a
// process (or a test) injects.
type Option func(*options)

type options struct {
	logger     log.Logger
	registerer prometheus.Registerer
	gatherer   prometheus.Gatherer
	now        func() time.Time
	redis      redis.UniversalClient
	fallback   middleware.Handler
	auth       middleware.Middleware
	tracer     trace.TracerProvider
	ladder     *Ladder
	limiter    Limiter
	clientMW   []middleware.Middleware

	// NewApp only.
	httpAddr, grpcAddr string
	registrar          registry.Registrar
	discovery          registry.Discovery
	stopTimeout        time.Duration
	drainDelay         time.Duration
	authToken          string
}

// WithLogger sets the logger every kit component logs to; the default
// discards.
func WithLogger(l log.Logger) Option { return func(o *options) { o.logger = l } }

// WithRegistry sets the Prometheus registry kit's metrics register with and
// NewApp serves at metrics.path; the default is a registry of kit's own
// (metrics are then recorded but only NewApp serves them). Chains built with
// the same registry share their collectors.
func WithRegistry(r *prometheus.Registry) Option {
	return func(o *options) { o.registerer, o.gatherer = r, r }
}

// WithClock sets the clock of the local rate limiters and the degradation
// ladder (tests step it). The breaker keeps sony/gobreaker's own clock, and
// the Redis bucket uses the Redis server's clock by design.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithRedis sets the Redis client of a rate_limit whose backend is redis;
// without it kit dials rate_limit.redis.
func WithRedis(c redis.UniversalClient) Option { return func(o *options) { o.redis = c } }

// WithFallback sets the handler that answers in place of the service (in
// ServerMiddleware) or of the dependency (in ClientMiddleware) when the
// degradation ladder says so; typically a call to degradation.fallback_to
// through a client from Dial or HTTPClient.
func WithFallback(h middleware.Handler) Option { return func(o *options) { o.fallback = h } }

// WithAuth sets the middleware that stands at the chain's "auth" step; a
// chain naming auth without one is an error, so that a spec asking for
// authentication never runs unauthenticated. BearerToken is one.
func WithAuth(m middleware.Middleware) Option { return func(o *options) { o.auth = m } }

// WithTracerProvider sets the tracer provider of the "tracing" step; the
// default is OpenTelemetry's global one (NewApp installs none: it builds
// one exporting to trace.endpoint and passes it here).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracer = tp }
}

// WithLadder makes the chain use an existing degradation ladder (NewLadder)
// instead of building its own, so that a server chain, the client chains and
// the handlers of one service see one level. NewApp passes its ladder.
func WithLadder(l *Ladder) Option { return func(o *options) { o.ladder = l } }

// WithLimiter makes the server chain's ratelimit step use an existing
// limiter (NewLimiter) instead of building one from rate_limit.
func WithLimiter(l Limiter) Option { return func(o *options) { o.limiter = l } }

// WithClientMiddleware appends mws to ClientMiddleware's chain, innermost:
// they run on every try, after the breaker and the retries decided to make
// it (credentials such as BearerTokenClient, request decoration).
func WithClientMiddleware(mws ...middleware.Middleware) Option {
	return func(o *options) { o.clientMW = append(o.clientMW, mws...) }
}

// WithAddrs replaces the bootstrap's listen addresses of NewApp's HTTP and
// gRPC servers (a test binds "127.0.0.1:0"); an empty one keeps the
// bootstrap's.
func WithAddrs(httpAddr, grpcAddr string) Option {
	return func(o *options) { o.httpAddr, o.grpcAddr = httpAddr, grpcAddr }
}

// WithRegistrar makes NewApp register with r instead of the registry the
// bootstrap names.
func WithRegistrar(r registry.Registrar) Option { return func(o *options) { o.registrar = r } }

// WithDiscovery sets how Dial and HTTPClient resolve a "discovery:///"
// endpoint (a dependency outside the mesh, found through the registry).
func WithDiscovery(d registry.Discovery) Option { return func(o *options) { o.discovery = d } }

// WithStopTimeout bounds NewApp's graceful shutdown; the default is 10s.
func WithStopTimeout(d time.Duration) Option { return func(o *options) { o.stopTimeout = d } }

// WithDrainDelay makes NewApp's shutdown wait d between reporting
// NOT_SERVING (health endpoint, gRPC health, deregistration) and closing the
// listeners, so that load balancers and callers' registry watches stop
// sending traffic first; the default is none.
func WithDrainDelay(d time.Duration) Option { return func(o *options) { o.drainDelay = d } }

func buildOptions(opts []Option) *options {
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	if o.logger == nil {
		o.logger = log.NewStdLogger(discard{})
	}
	if o.registerer == nil {
		r := prometheus.NewRegistry()
		o.registerer, o.gatherer = r, r
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
