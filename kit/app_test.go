package kit

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/middleware"
	khttp "github.com/go-kratos/kratos/v2/transport/http"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/govctl/govctl/render/kratos/conf"
)

type echoReply struct {
	ID    string `json:"id"`
	Level string `json:"level"`
}

// echoRoute is what protoc-gen-go-http generates for a GET with a path
// variable: bind, run the chain around the handler, encode.
func echoRoute(h middleware.Handler) khttp.HandlerFunc {
	return func(ctx khttp.Context) error {
		var in struct {
			ID string `json:"id"`
		}
		if err := ctx.BindVars(&in); err != nil {
			return err
		}
		khttp.SetOperation(ctx, "/test.Echo/Get")
		out, err := ctx.Middleware(h)(ctx, in.ID)
		if err != nil {
			return err
		}
		return ctx.Result(http.StatusOK, out)
	}
}

func appBootstrap() *conf.Bootstrap {
	bc := bootstrap()
	bc.Middleware = []string{"recovery", "tracing", "logging", "metrics"}
	bc.Server = conf.Server{
		HTTP: conf.Transport{Network: "tcp", Addr: "127.0.0.1:0", Timeout: conf.Duration(time.Second)},
		GRPC: conf.Transport{Network: "tcp", Addr: "127.0.0.1:0", Timeout: conf.Duration(time.Second)},
	}
	bc.Registry = conf.Registry{Kind: "kubernetes", HealthCheck: conf.HealthCheck{Path: "/healthz"}}
	bc.Metrics = conf.Metrics{Enabled: true, Path: "/metrics"}
	return bc
}

// runApp runs a and returns a function that waits for Run to return.
func runApp(t *testing.T, a *App) func() error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- a.Run() }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://" + a.HTTPAddr() + HealthPath(a.Bootstrap))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("app not healthy after 5s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return func() error {
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("app did not stop within 10s")
			return nil
		}
	}
}

func TestAppServesHealthMetricsAndDrains(t *testing.T) {
	bc := appBootstrap()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := NewApp(ctx, bc, WithDrainDelay(400*time.Millisecond), WithStopTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	a.HTTP.Route("/").GET("/v1/echo/{id}", echoRoute(func(ctx context.Context, req any) (any, error) {
		return &echoReply{ID: req.(string), Level: LevelFromContext(ctx).String()}, nil
	}))
	wait := runApp(t, a)

	// The app calls itself as its own dependency, over HTTP and gRPC, with
	// the client chain.
	bc.Clients = map[string]conf.Client{"orders": {
		Endpoint:     "dns:///" + a.GRPCAddr(),
		HTTPEndpoint: "http://" + a.HTTPAddr(),
		Timeout:      conf.Duration(time.Second),
	}}
	hc, err := HTTPClient(ctx, bc, "orders", a.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()
	var reply echoReply
	if err := hc.Invoke(ctx, "GET", "/v1/echo/42", nil, &reply); err != nil {
		t.Fatal(err)
	}
	if reply.ID != "42" || reply.Level != "NORMAL" {
		t.Fatalf("reply %+v", reply)
	}
	conn, err := Dial(ctx, bc, "orders", a.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	hr, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || hr.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("grpc health %v, %v; want SERVING", hr, err)
	}

	metrics := get(t, "http://"+a.HTTPAddr()+"/metrics")
	for _, want := range []string{
		// Server side of the HTTP call, with the caller from the client's headers.
		`kit_requests_total{destination_app="orders",destination_service="orders.shop-prod.svc.cluster.local",destination_service_name="orders",destination_service_namespace="shop-prod",destination_version="v1",destination_workload="orders",destination_workload_namespace="shop-prod",grpc_response_status="",reporter="destination",request_protocol="http",response_code="200",source_app="orders",source_version="v1",source_workload="orders",source_workload_namespace="shop-prod"} 1`,
		// Client side of the gRPC call.
		`reporter="source",request_protocol="grpc",response_code="200"`,
		`kit_request_duration_milliseconds_bucket{`,
		`kit_degradation_level{destination_service_name="orders",destination_service_namespace="shop-prod"} 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s\n%s", want, grepLines(metrics, "kit_"))
		}
	}

	cancel() // as SIGTERM would
	time.Sleep(150 * time.Millisecond)
	resp, err := http.Get("http://" + a.HTTPAddr() + "/healthz")
	if err != nil {
		t.Fatalf("health while draining: %v (the listener must stay open during the drain delay)", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var hs healthStatus
	_ = json.Unmarshal(body, &hs)
	if resp.StatusCode != 503 || hs.Status != "NOT_SERVING" {
		t.Fatalf("health while draining: %d %s, want 503 NOT_SERVING", resp.StatusCode, body)
	}
	gc, err := grpc.NewClient(a.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer gc.Close()
	hr, err = healthpb.NewHealthClient(gc).Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil || hr.Status != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("grpc health while draining: %v %v, want NOT_SERVING", hr, err)
	}
	if err := wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestDialRefusesADiscoveryEndpointWithoutDiscovery(t *testing.T) {
	bc := bootstrap()
	bc.Clients = map[string]conf.Client{"payments": {Endpoint: "discovery:///payments"}}
	_, err := Dial(context.Background(), bc, "payments")
	if err == nil || !strings.Contains(err.Error(), "pass kit.WithDiscovery") {
		t.Fatalf("err = %v", err)
	}
	_, err = HTTPClient(context.Background(), bc, "payments")
	if err == nil || !strings.Contains(err.Error(), "http_endpoint is empty") {
		t.Fatalf("err = %v", err)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) && !strings.Contains(l, "_bucket") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestAppDrainLetsInFlightRequestsFinish(t *testing.T) {
	bc := appBootstrap()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := NewApp(ctx, bc, WithStopTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	a.HTTP.Route("/").GET("/v1/echo/{id}", echoRoute(func(ctx context.Context, req any) (any, error) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		return &echoReply{ID: req.(string)}, nil
	}))
	wait := runApp(t, a)
	result := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + a.HTTPAddr() + "/v1/echo/7")
		if err != nil {
			result <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		result <- resp.Status + " " + string(b)
	}()
	<-started
	begin := time.Now()
	cancel()
	if got := <-result; !strings.HasPrefix(got, "200") || !strings.Contains(got, `"id":"7"`) {
		t.Fatalf("in-flight request during the drain: %s, want it answered", got)
	}
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(begin); el > 2*time.Second {
		t.Fatalf("stop took %s with one 300ms request in flight", el)
	}
}
