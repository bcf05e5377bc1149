package kit

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/transport"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/govctl/govctl/render/kratos/conf"
)

// TestServerChainKeepsTheBootstrapsOrder: with logging outside ratelimit a
// rejected request is logged; with ratelimit outside logging it never
// reaches the logger.
func TestServerChainKeepsTheBootstrapsOrder(t *testing.T) {
	for _, tc := range []struct {
		order  []string
		logged bool
	}{
		{[]string{"recovery", "logging", "ratelimit"}, true},
		{[]string{"recovery", "ratelimit", "logging"}, false},
	} {
		t.Run(strings.Join(tc.order, ","), func(t *testing.T) {
			clock := newFakeClock()
			bc := bootstrap()
			bc.Middleware = tc.order
			bc.RateLimit = &conf.RateLimit{Algorithm: "token_bucket", RPS: 1, Burst: 1}
			var logs syncBuffer
			mws, err := ServerMiddleware(bc, WithClock(clock.Now), WithLogger(log.NewStdLogger(&logs)))
			if err != nil {
				t.Fatal(err)
			}
			var calls atomic.Int64
			h := chain(t, mws, okHandler(&calls))
			h(context.Background(), nil)
			before := strings.Count(logs.String(), "kind=server")
			_, err = h(context.Background(), nil)
			assertRateLimited(t, err)
			logged := strings.Count(logs.String(), "kind=server") > before
			if logged != tc.logged {
				t.Fatalf("rejected request logged = %v, want %v; logs:\n%s", logged, tc.logged, logs.String())
			}
		})
	}
}

// TestTracingAndLoggingCarryTraceIDs: the tracing step starts a server span
// with the injected provider, and the logging step's line names its trace
// and span ids.
func TestTracingAndLoggingCarryTraceIDs(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tp.Shutdown(context.Background())
	bc := bootstrap()
	bc.Middleware = []string{"recovery", "tracing", "logging"}
	var logs syncBuffer
	mws, err := ServerMiddleware(bc, WithTracerProvider(tp), WithLogger(log.NewStdLogger(&logs)))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	// Kratos' tracing starts a span only under a server transport.
	ctx := transport.NewServerContext(context.Background(), fakeTransport{operation: "/shop.orders.v1.Orders/GetOrder", header: headerCarrier{}})
	if _, err := chain(t, mws, okHandler(&calls))(ctx, nil); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans recorded, want the server span", len(spans))
	}
	sc := spans[0].SpanContext()
	for _, want := range []string{"trace.id=" + sc.TraceID().String(), "span.id=" + sc.SpanID().String()} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}
