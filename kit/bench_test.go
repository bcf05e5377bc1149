package kit

import (
	"context"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/go-kratos/kratos/v2/transport"

	"github.com/govctl/govctl/render/kratos/conf"
)

// The chains' overhead per call around a handler that does nothing, under
// a gRPC transport as a Kratos server or client puts one in the context (so
// that tracing starts spans, with OpenTelemetry's default no-op provider):
// go test -run '^$' -bench Chain -benchmem ./kit

func benchHandler(context.Context, any) (any, error) { return "ok", nil }

func BenchmarkBareHandler(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		benchHandler(ctx, nil)
	}
}

func BenchmarkServerChain(b *testing.B) {
	bc := degradationBootstrap()
	bc.Middleware = []string{"recovery", "tracing", "logging", "metrics", "ratelimit", "validate", "metadata"}
	bc.RateLimit = &conf.RateLimit{Algorithm: "token_bucket", Backend: "local", RPS: 1 << 30, Burst: 1 << 30}
	mws, err := ServerMiddleware(bc)
	if err != nil {
		b.Fatal(err)
	}
	h := middleware.Chain(mws...)(benchHandler)
	ctx := transport.NewServerContext(context.Background(), fakeTransport{operation: "/shop.orders.v1.Orders/GetOrder", header: headerCarrier{}})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClientChain(b *testing.B) {
	bc := bootstrap()
	bc.Middleware = []string{"tracing", "metrics"}
	bc.Clients = map[string]conf.Client{"payments": {
		Endpoint:       "dns:///payments.shop-prod.svc.cluster.local:9000",
		Timeout:        conf.Duration(800 * time.Millisecond),
		CircuitBreaker: breakerConf(50, 0.02, 30*time.Second, 10*time.Second),
		Retries:        &conf.Retries{Attempts: 1, PerTryTimeout: conf.Duration(300 * time.Millisecond)},
	}}
	mws, err := ClientMiddleware(bc, "payments")
	if err != nil {
		b.Fatal(err)
	}
	h := middleware.Chain(mws...)(benchHandler)
	ctx := transport.NewClientContext(context.Background(), fakeTransport{operation: "/shop.payments.v1.Payments/GetPayment", header: headerCarrier{}})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}
