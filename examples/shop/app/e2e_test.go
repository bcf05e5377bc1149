package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govctl/govctl/examples/shop/app/internal/orders"
	"github.com/govctl/govctl/examples/shop/app/internal/orderslite"
	"github.com/govctl/govctl/examples/shop/app/internal/payments"
	"github.com/govctl/govctl/kit"
	"github.com/govctl/govctl/kit/kittest"
	"github.com/govctl/govctl/kit/kittest/consulfake"
	"github.com/govctl/govctl/kit/kittest/nacosfake"
	"github.com/govctl/govctl/render/kratos/conf"
	"go.opentelemetry.io/otel/trace/noop"
)

const (
	env           = "dev"
	authToken     = "e2e-caller"
	internalToken = "e2e-internal"
)

// renderShop renders examples/shop's Kratos bootstraps and Nacos entries
// for env with the govctl of this repository, as a deployment would.
func renderShop(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "run", "./cmd/govctl",
		"render", "--dir", "examples/shop", "--target", "kratos,nacos", "--env", env, "--out", out)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("govctl render: %v\n%s", err, b)
	}
	return out
}

func load(t *testing.T, dir, service string) *conf.Bootstrap {
	t.Helper()
	bc, err := kit.Load(filepath.Join(dir, env, "kratos", service, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return bc
}

// get calls url with the caller's token and returns the status, the
// decoded body and the latency.
func get(t *testing.T, url string, v any) (int, string, time.Duration) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+authToken)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	el := time.Since(start)
	if v != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: %v in %s", url, err, b)
		}
	}
	return resp.StatusCode, string(b), el
}

func run(t *testing.T, a *kit.App) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- a.Run() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + a.HTTPAddr() + kit.HealthPath(a.Bootstrap))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not healthy: %v", a.Bootstrap.Service.Name, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() {
		if err := a.Stop(); err != nil {
			t.Errorf("stop %s: %v", a.Bootstrap.Service.Name, err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", a.Bootstrap.Service.Name, err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("%s did not stop", a.Bootstrap.Service.Name)
		}
	})
}

// TestShopOnKit starts orders, payments and orders-lite on loopback from
// the bootstraps govctl renders for dev, registered with a Consul agent
// fake, orders configured from a Nacos fake and payments' shared rate
// limit in a real redis-server, and checks what the spec promises end to end:
//   - an edit of orders' Nacos entry reaches the running service;
//   - payments failing 10 % opens orders' breaker after payments'
//     min_requests (50) calls, and then orders' calls fail fast without
//     reaching payments;
//   - orders degrades and answers from orders-lite within fallback_timeout;
//   - a flood beyond rps + burst is rejected with RATELIMIT (429).
func TestShopOnKit(t *testing.T) {
	dir := renderShop(t)
	consul := consulfake.New(t)
	nacos := nacosfake.New(t)
	redisAddr := kittest.Redis(t)

	// The entry govctl apply nacos would publish.
	entry, err := os.ReadFile(filepath.Join(dir, env, "nacos", "shop-dev", "DEFAULT_GROUP", "orders.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	nacos.Publish("shop-dev", "DEFAULT_GROUP", "orders.yaml", string(entry))

	ob, pb, lb := load(t, dir, "orders"), load(t, dir, "payments"), load(t, dir, "orders-lite")
	for _, bc := range []*conf.Bootstrap{ob, pb, lb} {
		// The services register with the Consul fake whatever registry
		// the platform names (a kubernetes registry registers nothing),
		// so that registration and the health checks run end to end; the
		// config centre is the Nacos fake.
		bc.Registry.Kind = "consul"
		bc.Registry.Address = consul.Addr()
		bc.Registry.HealthCheck.Path = "/health"
		bc.Registry.HealthCheck.Interval = conf.Duration(200 * time.Millisecond)
		bc.Registry.HealthCheck.Timeout = conf.Duration(time.Second)
		bc.ConfigCenter.Address = nacos.Addr()
	}
	// What the renderer must give kit, asserted rather than set: the
	// namespace, orders' ladder window (its breaker's interval and
	// min_requests), orders-lite as one of orders' clients, and no
	// app-owned retries (the platform gives retries to the mesh). Only
	// payments' Redis is the test's own server.
	for _, bc := range []*conf.Bootstrap{ob, pb, lb} {
		if bc.Service.Namespace != "shop-dev" {
			t.Fatalf("%s: service.namespace = %q, want shop-dev", bc.Service.Name, bc.Service.Namespace)
		}
	}
	if ob.Degradation == nil || ob.Degradation.Interval.Std() != 60*time.Second || ob.Degradation.MinRequests != 100 {
		t.Fatalf("orders' degradation window is %+v, want its breaker's 60s and 100", ob.Degradation)
	}
	if _, ok := ob.Clients["orders-lite"]; !ok {
		t.Fatalf("orders' clients %v lack its fallback orders-lite", ob.Clients)
	}
	pc := ob.Clients["payments"]
	if pc.Retries != nil {
		t.Fatalf("orders' payments client retries %+v although the mesh owns retries", pc.Retries)
	}
	if pb.RateLimit == nil || pb.RateLimit.Backend != "redis" || pb.RateLimit.Redis == "" {
		t.Fatalf("payments' rate limit is %+v, want a shared redis bucket with its address", pb.RateLimit)
	}
	pb.RateLimit.Redis = redisAddr

	if ob.Degradation.FallbackTo != "orders-lite" || ob.Degradation.FallbackTimeout.Std() != 150*time.Millisecond {
		t.Fatalf("examples/shop changed: orders' degradation is %+v", ob.Degradation)
	}
	cb := pc.CircuitBreaker
	if cb == nil || cb.MinRequests != 50 || cb.ErrorThreshold != 0.02 {
		t.Fatalf("examples/shop changed: orders' breaker for payments is %+v", cb)
	}
	rl := ob.RateLimit
	if rl == nil || rl.RPS != 200 || rl.Burst != 50 || rl.Algorithm != "token_bucket" {
		t.Fatalf("examples/shop changed: orders' rate limit is %+v", rl)
	}

	ctx := context.Background()
	loopback := kit.WithAddrs("127.0.0.1:0", "127.0.0.1:0")
	stop := kit.WithStopTimeout(2 * time.Second)
	// No collector listens at trace.endpoint here.
	noTrace := kit.WithTracerProvider(noop.NewTracerProvider())
	pay, err := payments.New(ctx, pb, payments.Options{AuthToken: internalToken, FailEvery: 10}, loopback, stop, noTrace)
	if err != nil {
		t.Fatal(err)
	}
	run(t, pay.App)
	lite, err := orderslite.New(ctx, lb, loopback, stop, noTrace)
	if err != nil {
		t.Fatal(err)
	}
	run(t, lite)
	// Cluster DNS names do not resolve on a test machine: orders reaches
	// its dependencies on loopback.
	pc.HTTPEndpoint = "http://" + pay.HTTPAddr()
	ob.Clients["payments"] = pc
	oc := ob.Clients["orders-lite"]
	oc.HTTPEndpoint = "http://" + lite.HTTPAddr()
	ob.Clients["orders-lite"] = oc
	ord, err := orders.New(ctx, ob, orders.Options{AuthToken: authToken, ClientToken: internalToken}, loopback, stop, noTrace)
	if err != nil {
		t.Fatal(err)
	}
	defer ord.Close()
	run(t, ord.App)
	base := "http://" + ord.HTTPAddr()

	t.Run("registered", func(t *testing.T) {
		deadline := time.Now().Add(5 * time.Second)
		for {
			names := map[string]bool{}
			passing := 0
			for _, s := range consul.Services() {
				names[s.Name] = true
			}
			for _, c := range consul.Checks() {
				if c.HTTP != "" && c.Status == "passing" {
					passing++
				}
			}
			if len(names) == 3 && passing == 3 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("registered %v with %d passing health checks, want orders, payments, orders-lite all passing", names, passing)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("nacos edit reaches the running service", func(t *testing.T) {
		var s orders.Settings
		if code, body, _ := get(t, base+"/v1/checkout/settings", &s); code != 200 || s.HoldMinutes != 15 {
			t.Fatalf("settings %d %s, want holdMinutes 15 from the rendered entry", code, body)
		}
		nacos.Publish("shop-dev", "DEFAULT_GROUP", "orders.yaml", strings.Replace(string(entry), "holdMinutes: 15", "holdMinutes: 20", 1))
		deadline := time.Now().Add(5 * time.Second)
		for s.HoldMinutes != 20 {
			if time.Now().After(deadline) {
				t.Fatalf("holdMinutes still %d 5s after the edit", s.HoldMinutes)
			}
			time.Sleep(50 * time.Millisecond)
			get(t, base+"/v1/checkout/settings", &s)
		}
	})

	t.Run("breaker opens, calls fail fast, orders degrades to orders-lite", func(t *testing.T) {
		// Paced below orders' 200 rps, so that only the breaker and the
		// ladder decide.
		tick := time.NewTicker(8 * time.Millisecond)
		defer tick.Stop()
		var fastFails, fromLite int
		var liteLatency time.Duration
		for i := 1; i <= 160; i++ {
			<-tick.C
			before := pay.Calls()
			var o orders.Order
			code, body, latency := get(t, fmt.Sprintf("%s/v1/orders/%d", base, i), &o)
			switch {
			case code == 200 && o.Source == "orders":
				if fromLite > 0 {
					t.Fatalf("request %d answered by orders after orders-lite had taken over", i)
				}
			case code == 200 && o.Source == "orders-lite":
				fromLite++
				liteLatency = max(liteLatency, latency)
			case code == 503 && strings.Contains(body, `"reason":"CIRCUITBREAKER"`):
				if pay.Calls() != before {
					t.Fatalf("request %d failed with CIRCUITBREAKER but reached payments", i)
				}
				fastFails++
			case code == 503 && strings.Contains(body, "PAYMENT_PROVIDER_DOWN"):
			default:
				t.Fatalf("request %d: %d %s", i, code, body)
			}
		}
		if got := pay.Calls(); got != 50 {
			t.Errorf("payments served %d calls; the breaker (min_requests 50, 10%% failing ≥ 2%%) must open at the 50th", got)
		}
		if fastFails < 40 {
			t.Errorf("%d calls failed fast with CIRCUITBREAKER, want the ones after the 50th until orders degraded", fastFails)
		}
		if fromLite < 50 {
			t.Errorf("%d of 160 answers came from orders-lite, want every one after the ladder reached DEGRADED", fromLite)
		}
		if liteLatency >= 150*time.Millisecond {
			t.Errorf("slowest answer from orders-lite took %s, want within fallback_timeout 150ms", liteLatency)
		}
		metrics := getMetrics(t, base+"/metrics")
		for _, want := range []string{
			`kit_circuit_breaker_state{destination_service_name="payments",source_workload="orders"} 2`,
			`kit_degradation_level{destination_service_name="orders",destination_service_namespace="shop-dev"} 3`,
			`kit_fallback_total{outcome="served",source_workload="orders",where="server"}`,
			`reporter="source",request_protocol="http",response_code="503"`,
		} {
			if !strings.Contains(metrics, want) {
				t.Errorf("orders' /metrics lacks %s", want)
			}
		}
	})

	t.Run("a flood beyond rps and burst is limited", func(t *testing.T) {
		time.Sleep(300 * time.Millisecond) // the bucket refills (50 at 200 rps)
		var ok, limited, timedOut, other atomic.Int64
		var otherBody atomic.Value
		var wg sync.WaitGroup
		start := time.Now()
		for range 20 {
			wg.Go(func() {
				for range 20 {
					code, body, _ := get(t, base+"/v1/orders/flood", nil)
					switch {
					case code == 200:
						ok.Add(1)
					case code == 429 && strings.Contains(body, `"reason":"RATELIMIT"`):
						limited.Add(1)
					case code == 504 || strings.Contains(body, "context deadline exceeded"):
						// An admitted request whose fallback answer took longer
						// than fallback_timeout on a loaded machine.
						timedOut.Add(1)
					default:
						other.Add(1)
						otherBody.Store(fmt.Sprint(code, " ", body))
					}
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		allowed := 50 + int64(200*elapsed.Seconds()) + 5
		admitted := ok.Load() + timedOut.Load()
		if admitted > allowed || limited.Load() == 0 || other.Load() != 0 {
			t.Fatalf("400 requests in %s: %d admitted (at most %d), %d limited, %d other (%v)", elapsed, admitted, allowed, limited.Load(), other.Load(), otherBody.Load())
		}
		t.Logf("400 requests in %s: %d admitted (%d of them past fallback_timeout), %d rejected with RATELIMIT", elapsed, admitted, timedOut.Load(), limited.Load())
	})
}

func getMetrics(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
