package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/kratos"
	"github.com/govctl/govctl/render/kratos/conf"
	"github.com/govctl/govctl/schema"
)

// renderedConfig renders examples/shop and writes the orders bootstrap of
// env where a deployment would mount it.
func renderedConfig(t *testing.T, env string) string {
	t.Helper()
	m, err := schema.Load(context.Background(), "../..")
	if err != nil {
		t.Fatalf("load examples/shop: %v", err)
	}
	objs, err := kratos.Renderer{}.Render(context.Background(), m, []string{env})
	if err != nil {
		t.Fatalf("render kratos: %v", err)
	}
	files, err := render.EncodeObjects(objs)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	want := kratos.Path(env, "orders")
	for _, f := range files {
		if f.Path == want {
			p := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	t.Fatalf("no %s rendered", want)
	return ""
}

// syncBuffer is a log sink the servers' goroutines may write concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// spanRecorder keeps every exported span, also past the provider's
// shutdown (tracetest.InMemoryExporter forgets them then).
type spanRecorder struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func (r *spanRecorder) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = append(r.spans, spans...)
	return nil
}

func (r *spanRecorder) Shutdown(context.Context) error { return nil }

func (r *spanRecorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for _, s := range r.spans {
		names = append(names, s.Name()+" "+s.SpanContext().TraceID().String())
	}
	return names
}

// service is a running orders service.
type service struct {
	httpURL  string
	grpcAddr string
	logs     *syncBuffer
	spans    *spanRecorder
	metrics  *sdkmetric.ManualReader
	stop     func() error
}

const testToken = "s3cret"

// start runs the orders service on free loopback ports with the rendered
// bootstrap at configPath and waits until it listens.
func start(t *testing.T, configPath string) *service {
	t.Helper()
	s := &service{logs: &syncBuffer{}, spans: &spanRecorder{}, metrics: sdkmetric.NewManualReader()}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan [2]string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, configPath, options{
			logOutput:    s.logs,
			authToken:    testToken,
			httpAddr:     "127.0.0.1:0",
			grpcAddr:     "127.0.0.1:0",
			spanExporter: s.spans,
			metricReader: s.metrics,
			stopTimeout:  2 * time.Second,
			ready:        func(h, g string) { ready <- [2]string{h, g} },
		})
	}()
	select {
	case addrs := <-ready:
		s.httpURL, s.grpcAddr = "http://"+addrs[0], addrs[1]
	case err := <-done:
		cancel()
		t.Fatalf("run returned before serving: %v\nlogs:\n%s", err, s.logs)
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("service did not start within 5s")
	}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("service did not stop within 5s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { _ = s.stop() })
	return s
}

func get(t *testing.T, client *http.Client, url string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestOrdersServesHealthWithRenderedProdConfig(t *testing.T) {
	before := runtime.NumGoroutine()
	s := start(t, renderedConfig(t, "prod"))
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

	code, body := get(t, client, s.httpURL+"/health", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /health: %d %s", code, body)
	}
	var h healthStatus
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("GET /health body %q is not JSON: %v", body, err)
	}
	if want := (healthStatus{Status: "SERVING", Service: "orders", Version: "v1.4.2", Env: "prod"}); h != want {
		t.Errorf("GET /health: %+v, want %+v", h, want)
	}

	conn, err := grpc.NewClient(s.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatalf("grpc health check (without credentials, past auth): %v", err)
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("grpc health: %v, want SERVING", resp.GetStatus())
	}

	if err := s.stop(); err != nil {
		t.Fatalf("shutdown: %v\nlogs:\n%s", err, s.logs)
	}
	conn.Close()
	client.CloseIdleConnections()
	for _, want := range []string{"discovery configured but not connected: consul registry at consul.service:8500", "recovery → tracing → logging → metrics → auth"} {
		if !strings.Contains(s.logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, s.logs)
		}
	}
	checkNoGoroutineLeak(t, before)
}

func TestMiddlewareChainGuardsTheOrdersAPI(t *testing.T) {
	s := start(t, renderedConfig(t, "prod"))
	client := &http.Client{Timeout: 2 * time.Second}
	defer client.CloseIdleConnections()
	url := s.httpURL + "/v1/orders/o-42"

	if code, body := get(t, client, url, nil); code != http.StatusUnauthorized {
		t.Errorf("GET without a token: %d %s, want 401", code, body)
	}
	// A sampled parent makes the span deterministic despite the 10 % sampler.
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	header := http.Header{
		"Authorization": {"Bearer " + testToken},
		"Traceparent":   {"00-" + traceID + "-00f067aa0ba902b7-01"},
	}
	code, body := get(t, client, url, header)
	if code != http.StatusOK || !strings.Contains(body, `"id":"o-42"`) {
		t.Fatalf("GET with a token: %d %s", code, body)
	}
	// Collect before the shutdown, which shuts the reader down too.
	var rm metricdata.ResourceMetrics
	if err := s.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	// tracing: the server span of the call, in the caller's trace (spans
	// are flushed at shutdown).
	if want := getOrderOperation + " " + traceID; !slices.Contains(s.spans.names(), want) {
		t.Errorf("no span %q; spans: %v", want, s.spans.names())
	}
	// logging: Kratos' access log line of both calls.
	if n := strings.Count(s.logs.String(), "operation="+getOrderOperation); n != 2 {
		t.Errorf("want 2 access log lines for %s, got %d:\n%s", getOrderOperation, n, s.logs)
	}
	// metrics: both calls counted, one 401, one 200.
	codes := map[int64]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == "server_requests_code_total" {
				for _, dp := range sum.DataPoints {
					if op, _ := dp.Attributes.Value("operation"); op.AsString() == getOrderOperation {
						code, _ := dp.Attributes.Value("code")
						codes[code.AsInt64()] += dp.Value
					}
				}
			}
		}
	}
	if codes[200] != 1 || codes[401] != 1 {
		t.Errorf("server_requests_code_total for %s by code: %v, want one 200 and one 401", getOrderOperation, codes)
	}
}

func TestHealthReportsNotServingWhileDraining(t *testing.T) {
	h := newHealth(conf.Service{Name: "orders", Version: "v1", Env: "dev"})
	h.drain()
	rec := httptest.NewRecorder()
	h.serveHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"status":"NOT_SERVING"`) {
		t.Errorf("draining /health: %d %s", rec.Code, rec.Body)
	}
}

func TestRunFailsOnMissingConfig(t *testing.T) {
	err := run(context.Background(), filepath.Join(t.TempDir(), "nope.yaml"), options{})
	if err == nil || !strings.Contains(err.Error(), "load config") {
		t.Fatalf("want a load error, got %v", err)
	}
}

func TestRunFailsOnUnknownMiddleware(t *testing.T) {
	p := renderedConfig(t, "dev")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("  - auth\n"), []byte("  - auth\n  - telepathy\n"), 1)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), p, options{httpAddr: "127.0.0.1:0", grpcAddr: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), `middleware "telepathy"`) {
		t.Fatalf("want an unknown-middleware error, got %v", err)
	}
}

// checkNoGoroutineLeak waits briefly for goroutines the service started to
// end (connection readers exit asynchronously) and fails if more remain
// than before it started.
func checkNoGoroutineLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines before the service, %d after it stopped:\n%s", before, n, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMain keeps Kratos' global logger, which its config loader and servers
// write to, at warnings and above; the service's own log goes to each
// test's buffer.
func TestMain(m *testing.M) {
	log.SetLogger(log.NewFilter(log.GetLogger(), log.FilterLevel(log.LevelWarn)))
	os.Exit(m.Run())
}
