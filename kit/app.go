package kit

import (
	"context"
	"encoding/json"
	stderrors "errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-kratos/kratos/v2"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/go-kratos/kratos/v2/registry"
	kgrpc "github.com/go-kratos/kratos/v2/transport/grpc"
	khttp "github.com/go-kratos/kratos/v2/transport/http"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/govctl/govctl/render/kratos/conf"
)

// defaultStopTimeout bounds a graceful shutdown, as kratos.App's does.
const defaultStopTimeout = 10 * time.Second

// App is a service on kit: the kratos.App NewApp builds and the parts a
// service registers its API on before Run.
type App struct {
	*kratos.App
	// HTTP and GRPC are the servers, with the server chain; register the
	// service's routes and gRPC services on them.
	HTTP *khttp.Server
	GRPC *kgrpc.Server
	// Ladder is the service's degradation ladder, shared by the server
	// chain and the clients of Dial and HTTPClient made with Options.
	Ladder *Ladder
	// Bootstrap is the configuration the app was built from.
	Bootstrap *conf.Bootstrap

	opts     *options
	draining atomic.Bool
	health   *health.Server
	httpLis  net.Listener
	grpcLis  net.Listener
}

// NewApp builds the service's kratos.App from bc: HTTP and gRPC servers on
// server.http and server.grpc (address, timeout) with ServerMiddleware's
// chain; the health endpoint the registry checks (registry.health_check.path,
// /health when empty) and the standard grpc.health.v1 service, SERVING once
// both servers accept and NOT_SERVING from the moment the shutdown starts;
// metrics.path serving the Prometheus registry when metrics.enabled;
// registration with registry.kind (Registrar); spans exported to
// trace.endpoint. Run serves until SIGINT/SIGTERM, Stop or the end of ctx,
// then drains: NOT_SERVING, deregistration, WithDrainDelay, in-flight
// requests finish within WithStopTimeout.
func NewApp(ctx context.Context, bc *conf.Bootstrap, opts ...Option) (*App, error) {
	o := buildOptions(opts)
	a := &App{Bootstrap: bc, opts: o, health: health.NewServer()}
	o.ladder = newLadder(bc, o, newMetrics(o.registerer))
	a.Ladder = o.ladder

	tel, err := newTelemetry(ctx, bc, o)
	if err != nil {
		return nil, err
	}
	if o.tracer == nil {
		o.tracer = tel.provider
	}
	mw, err := serverMiddleware(bc, o)
	if err != nil {
		return nil, stderrors.Join(tel.shutdown(ctx), err)
	}
	registrar := o.registrar
	if registrar == nil {
		registrar, err = NewRegistrar(ctx, bc, opts...)
		if err != nil {
			return nil, stderrors.Join(tel.shutdown(ctx), err)
		}
	}
	if d, ok := registrar.(registry.Discovery); ok && o.discovery == nil {
		// The registry the app registers with resolves its dependencies'
		// discovery:/// endpoints too (Options passes it to Dial, HTTPClient).
		o.discovery = d
	}
	if a.httpLis, err = listen(bc.Server.HTTP, o.httpAddr); err != nil {
		return nil, stderrors.Join(tel.shutdown(ctx), err)
	}
	if a.grpcLis, err = listen(bc.Server.GRPC, o.grpcAddr); err != nil {
		a.httpLis.Close()
		return nil, stderrors.Join(tel.shutdown(ctx), err)
	}
	inflight := new(atomic.Int64)
	a.HTTP = newHTTPServer(bc, a.httpLis, mw, inflight)
	a.HTTP.HandleFunc(HealthPath(bc), a.serveHealth)
	if bc.Metrics.Enabled && bc.Metrics.Path != "" {
		a.HTTP.Handle(bc.Metrics.Path, promhttp.HandlerFor(o.gatherer, promhttp.HandlerOpts{}))
	}
	a.GRPC = kgrpc.NewServer(
		kgrpc.Listener(a.grpcLis),
		kgrpc.Network(a.grpcLis.Addr().Network()),
		kgrpc.Address(a.grpcLis.Addr().String()),
		kgrpc.Timeout(bc.Server.GRPC.Timeout.Std()),
		kgrpc.Middleware(mw...),
		// kit's own health server, so that it says NOT_SERVING while
		// draining, before Kratos' Stop.
		kgrpc.CustomHealth(),
	)
	healthpb.RegisterHealthServer(a.GRPC.Server, a.health)
	a.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	a.health.SetServingStatus(bc.Service.Name, healthpb.HealthCheckResponse_NOT_SERVING)

	stopTimeout := o.stopTimeout
	if stopTimeout <= 0 {
		stopTimeout = defaultStopTimeout
	}
	kopts := []kratos.Option{
		kratos.Name(bc.Service.Name),
		kratos.Version(bc.Service.Version),
		kratos.Metadata(instanceMetadata(bc)),
		kratos.Context(context.WithoutCancel(ctx)),
		kratos.Logger(o.logger),
		kratos.Server(&drainingHTTP{Server: a.HTTP, inflight: inflight}, &drainingGRPC{Server: a.GRPC, stopTimeout: stopTimeout}),
		kratos.StopTimeout(stopTimeout),
		kratos.AfterStart(func(actx context.Context) error {
			a.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
			a.health.SetServingStatus(bc.Service.Name, healthpb.HealthCheckResponse_SERVING)
			// The end of ctx stops the app the way a signal does: drained and
			// deregistered. The goroutine ends with the app.
			go func() {
				select {
				case <-ctx.Done():
					_ = a.App.Stop()
				case <-actx.Done():
				}
			}()
			return nil
		}),
		kratos.BeforeStop(func(context.Context) error {
			a.draining.Store(true)
			a.health.Shutdown()
			if o.drainDelay > 0 {
				time.Sleep(o.drainDelay)
			}
			return nil
		}),
		kratos.AfterStop(func(sctx context.Context) error {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(sctx), stopTimeout)
			defer cancel()
			// Spans that cannot be flushed (the collector is away) are lost,
			// which is no reason to report the service's shutdown as failed.
			if err := tel.shutdown(sctx); err != nil {
				log.NewHelper(o.logger).Warnf("trace export shutdown: %v", err)
			}
			return nil
		}),
	}
	if registrar != nil {
		kopts = append(kopts, kratos.Registrar(registrar))
	}
	a.App = kratos.New(kopts...)
	return a, nil
}

// instanceMetadata is what the service registers beside its endpoints.
func instanceMetadata(bc *conf.Bootstrap) map[string]string {
	md := map[string]string{"env": bc.Service.Env}
	if bc.Service.Namespace != "" {
		md["namespace"] = bc.Service.Namespace
	}
	return md
}

// HTTPAddr and GRPCAddr are the addresses the servers listen on.
func (a *App) HTTPAddr() string { return a.httpLis.Addr().String() }

// GRPCAddr is the address the gRPC server listens on.
func (a *App) GRPCAddr() string { return a.grpcLis.Addr().String() }

// Options are the options the app was built with plus its ladder, for the
// clients of its dependencies (Dial, HTTPClient), so that they share the
// app's metrics registry, logger and tracer.
func (a *App) Options() []Option {
	o := a.opts
	return []Option{WithLogger(o.logger), func(x *options) { x.registerer, x.gatherer = o.registerer, o.gatherer },
		WithTracerProvider(o.tracer), WithLadder(o.ladder), WithClock(o.now), WithDiscovery(o.discovery)}
}

// HealthPath is where the registry checks the instance.
func HealthPath(bc *conf.Bootstrap) string {
	if p := bc.Registry.HealthCheck.Path; p != "" {
		return p
	}
	return "/health"
}

// healthStatus is the body of the health endpoint.
type healthStatus struct {
	Status  string `json:"status"`
	Service string `json:"service"`
	Version string `json:"version"`
	Env     string `json:"env"`
	Level   string `json:"degradation_level"`
}

// serveHealth is SERVING (200) until the shutdown starts, NOT_SERVING (503)
// while draining. The degradation level is reported but does not fail the
// check: a degraded instance still answers, from its fallback.
func (a *App) serveHealth(w http.ResponseWriter, _ *http.Request) {
	s := a.Bootstrap.Service
	body := healthStatus{Status: "SERVING", Service: s.Name, Version: s.Version, Env: s.Env, Level: a.Ladder.Level().String()}
	code := http.StatusOK
	if a.draining.Load() {
		body.Status, code = "NOT_SERVING", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func newHTTPServer(bc *conf.Bootstrap, lis net.Listener, mw []middleware.Middleware, inflight *atomic.Int64) *khttp.Server {
	return khttp.NewServer(
		khttp.Filter(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inflight.Add(1)
				defer inflight.Add(-1)
				next.ServeHTTP(w, r)
			})
		}),
		khttp.Listener(lis),
		khttp.Network(lis.Addr().Network()),
		khttp.Address(lis.Addr().String()),
		khttp.Timeout(bc.Server.HTTP.Timeout.Std()),
		khttp.Middleware(mw...),
		// Kratos falls back to http.DefaultServeMux, which serves whatever
		// any imported package registered there (pprof, expvar).
		khttp.NotFoundHandler(http.NotFoundHandler()),
		khttp.MethodNotAllowedHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		})),
	)
}

// listen binds one server's listener: the bootstrap's address unless
// override is set.
func listen(t conf.Transport, override string) (net.Listener, error) {
	network, addr := t.Network, t.Addr
	if network == "" {
		network = "tcp"
	}
	if override != "" {
		addr = override
	}
	lis, err := net.Listen(network, addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s %s: %w", network, addr, err)
	}
	return lis, nil
}

// drainingHTTP stops the HTTP server once no request is in flight:
// http.Server.Shutdown also waits for connections that were opened and never
// carried a request (a client's transport dials spares under load), up to 5s
// each, which would hold the drain for nothing.
type drainingHTTP struct {
	*khttp.Server
	inflight *atomic.Int64
}

func (s *drainingHTTP) Stop(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- s.Server.Stop(ctx) }()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-t.C:
			if s.inflight.Load() == 0 {
				_ = s.Server.Close()
				if err := <-done; err != nil && !stderrors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			}
		}
	}
}

// drainingGRPC stops the gRPC server gracefully, and forcibly when the stop
// timeout passes first: Kratos' Stop waits for every open stream (a health
// Watch never ends by itself) and ignores its context.
type drainingGRPC struct {
	*kgrpc.Server
	stopTimeout time.Duration
}

func (s *drainingGRPC) Stop(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- s.Server.Stop(ctx) }()
	t := time.NewTimer(s.stopTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	case <-t.C:
	}
	s.Server.Server.Stop()
	return <-done
}

// Dial returns a gRPC connection to dependency with ClientMiddleware's chain
// on the endpoint clients.<dependency>.endpoint names: cluster DNS inside
// the mesh ("dns:///…"), the registry outside it ("discovery:///…", which
// needs WithDiscovery). Pass app.Options() to share the app's ladder and
// metrics.
func Dial(ctx context.Context, bc *conf.Bootstrap, dependency string, opts ...Option) (*grpc.ClientConn, error) {
	o := buildOptions(opts)
	mws, err := clientMiddleware(bc, dependency, o)
	if err != nil {
		return nil, err
	}
	c := bc.Clients[dependency]
	if c.Endpoint == "" {
		return nil, fmt.Errorf("dial %s: clients.%s.endpoint is empty", dependency, dependency)
	}
	copts := []kgrpc.ClientOption{
		kgrpc.WithEndpoint(c.Endpoint),
		kgrpc.WithMiddleware(mws...),
	}
	if c.Timeout > 0 {
		// The chain's deadline is the client's; Kratos' own default (2s)
		// must not cut it shorter. Without one, Kratos' default stands, as
		// conf.Client.Timeout says.
		copts = append(copts, kgrpc.WithTimeout(c.Timeout.Std()))
	}
	if strings.HasPrefix(c.Endpoint, "discovery:") {
		if o.discovery == nil {
			return nil, fmt.Errorf("dial %s: endpoint %s resolves through the registry; pass kit.WithDiscovery", dependency, c.Endpoint)
		}
		copts = append(copts, kgrpc.WithDiscovery(o.discovery))
	}
	conn, err := kgrpc.DialInsecure(ctx, copts...)
	if err != nil {
		return nil, fmt.Errorf("dial %s at %s: %w", dependency, c.Endpoint, err)
	}
	return conn, nil
}

// HTTPClient returns a Kratos HTTP client for dependency with
// ClientMiddleware's chain on clients.<dependency>.http_endpoint.
func HTTPClient(ctx context.Context, bc *conf.Bootstrap, dependency string, opts ...Option) (*khttp.Client, error) {
	o := buildOptions(opts)
	mws, err := clientMiddleware(bc, dependency, o)
	if err != nil {
		return nil, err
	}
	c := bc.Clients[dependency]
	if c.HTTPEndpoint == "" {
		return nil, fmt.Errorf("http client %s: clients.%s.http_endpoint is empty (the dependency serves no HTTP?)", dependency, dependency)
	}
	copts := []khttp.ClientOption{
		khttp.WithEndpoint(c.HTTPEndpoint),
		khttp.WithMiddleware(mws...),
	}
	if c.Timeout > 0 {
		copts = append(copts, khttp.WithTimeout(c.Timeout.Std()))
	}
	if strings.HasPrefix(c.HTTPEndpoint, "discovery:") {
		if o.discovery == nil {
			return nil, fmt.Errorf("http client %s: endpoint %s resolves through the registry; pass kit.WithDiscovery", dependency, c.HTTPEndpoint)
		}
		copts = append(copts, khttp.WithDiscovery(o.discovery))
	}
	cl, err := khttp.NewClient(ctx, copts...)
	if err != nil {
		return nil, fmt.Errorf("http client %s at %s: %w", dependency, c.HTTPEndpoint, err)
	}
	return cl, nil
}
