package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/go-kratos/kratos/v2/config"
	"github.com/go-kratos/kratos/v2/config/file"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware/tracing"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"golang.org/x/sync/errgroup"

	"github.com/govctl/govctl/render/kratos/conf"
)

// defaultStopTimeout bounds a graceful shutdown, as kratos.App's stop
// timeout does.
const defaultStopTimeout = 10 * time.Second

// options are what main (or a test) decides beyond the bootstrap file.
type options struct {
	// logOutput receives the service's log lines; nil discards them.
	logOutput io.Writer
	// authToken is the bearer token the auth middleware accepts.
	authToken string
	// httpAddr and grpcAddr, when set, replace the bootstrap's listen
	// addresses (a test binds 127.0.0.1:0).
	httpAddr, grpcAddr string
	// spanExporter, when set, replaces the OTLP exporter built from
	// trace.endpoint.
	spanExporter sdktrace.SpanExporter
	// metricReader, when set, reads the request metrics.
	metricReader sdkmetric.Reader
	// ready, when set, is called with the bound HTTP and gRPC addresses once
	// both servers accept connections.
	ready func(httpAddr, grpcAddr string)
	// stopTimeout bounds the graceful shutdown; zero means 10s.
	stopTimeout time.Duration
}

// run loads the bootstrap at configPath and serves until ctx is done, then
// shuts down gracefully. It returns when every server has stopped.
func run(ctx context.Context, configPath string, opts options) error {
	bc, err := loadBootstrap(configPath)
	if err != nil {
		return err
	}
	out := opts.logOutput
	if out == nil {
		out = io.Discard
	}
	logger := log.With(log.NewStdLogger(out),
		"ts", log.DefaultTimestamp,
		"service.name", bc.Service.Name,
		"service.version", bc.Service.Version,
		"env", bc.Service.Env,
		"trace.id", tracing.TraceID(),
		"span.id", tracing.SpanID(),
	)
	helper := log.NewHelper(logger)

	tel, err := newTelemetry(ctx, bc, opts.spanExporter, opts.metricReader)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout(opts))
		defer cancel()
		if err := tel.shutdown(sctx); err != nil {
			helper.Warnf("telemetry shutdown: %v", err)
		}
	}()

	mw, err := serverMiddleware(bc, logger, tel, opts.authToken)
	if err != nil {
		return err
	}
	logUnconnected(helper, bc)

	httpLis, err := listen(bc.Server.HTTP, opts.httpAddr)
	if err != nil {
		return err
	}
	grpcLis, err := listen(bc.Server.GRPC, opts.grpcAddr)
	if err != nil {
		httpLis.Close()
		return err
	}
	health := newHealth(bc.Service)
	hs := newHTTPServer(bc, httpLis, mw, health)
	gs := newGRPCServer(bc, grpcLis, mw)
	helper.Infof("serving HTTP on %s and gRPC on %s with middleware %s",
		httpLis.Addr(), grpcLis.Addr(), strings.Join(bc.Middleware, " → "))
	if opts.ready != nil {
		opts.ready(httpLis.Addr().String(), grpcLis.Addr().String())
	}

	// This is kratos.App.Run without the registrar (there is no registry
	// client here) and without its signal handling: App.Run installs
	// os/signal handlers it never releases, and main already turns SIGINT
	// and SIGTERM into the cancellation of ctx.
	eg, egctx := errgroup.WithContext(ctx)
	// Requests must not inherit the cancellation that starts the shutdown:
	// in-flight calls get the stop timeout to finish.
	base := context.WithoutCancel(ctx)
	eg.Go(func() error {
		if err := hs.Start(base); err != nil {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	eg.Go(func() error {
		if err := gs.Start(base); err != nil && egctx.Err() == nil {
			return fmt.Errorf("grpc server: %w", err)
		}
		return nil
	})
	eg.Go(func() error {
		<-egctx.Done()
		helper.Info("shutting down")
		health.drain()
		sctx, cancel := context.WithTimeout(base, stopTimeout(opts))
		defer cancel()
		return errors.Join(hs.Stop(sctx), stopGRPC(sctx, gs))
	})
	return eg.Wait()
}

func stopTimeout(opts options) time.Duration {
	if opts.stopTimeout > 0 {
		return opts.stopTimeout
	}
	return defaultStopTimeout
}

// loadBootstrap reads config.yaml the way every Kratos service does.
func loadBootstrap(path string) (*conf.Bootstrap, error) {
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

// logUnconnected says what the bootstrap configures that this example does
// not connect to, so that nobody takes it for a registered instance.
func logUnconnected(h *log.Helper, bc *conf.Bootstrap) {
	r := bc.Registry
	h.Infof("discovery configured but not connected: %s registry at %s (heartbeat %s, ttl %s, health check %s every %s); no registry client in this example",
		r.Kind, r.Address, r.Heartbeat, r.TTL, r.HealthCheck.Path, r.HealthCheck.Interval)
	if len(bc.Clients) > 0 {
		names := make([]string, 0, len(bc.Clients))
		for n := range bc.Clients {
			names = append(names, n)
		}
		sort.Strings(names)
		h.Infof("clients not dialled (they resolve through the registry): %s", strings.Join(names, ", "))
	}
	if cc := bc.ConfigCenter; cc != nil {
		h.Infof("config centre configured but not connected: %s at %s, namespace %s, group %s, dataId %s",
			cc.Kind, cc.Address, cc.Namespace, cc.Group, cc.DataID)
	}
}
