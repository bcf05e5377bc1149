package kratos_test

import (
	"bytes"
	"context"
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/testutil"

	"github.com/google/go-cmp/cmp"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/kratos"
	"github.com/govctl/govctl/render/kratos/conf"
	"github.com/govctl/govctl/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// loadShop loads examples/shop.
func loadShop(t *testing.T) *schema.Model { return testutil.LoadShop(t) }

// renderFiles renders every environment of m and encodes the objects the
// way govctl writes them.
func renderFiles(t *testing.T, m *schema.Model) ([]render.Object, []render.File) {
	t.Helper()
	objs, err := kratos.Renderer{}.Render(context.Background(), m, m.EnvironmentNames())
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	files, err := render.EncodeObjects(objs)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return objs, files
}

// bootstrapOf returns the rendered bootstrap of a service in an environment.
func bootstrapOf(t *testing.T, objs []render.Object, env, service string) conf.Bootstrap {
	t.Helper()
	for _, o := range objs {
		if o.Env == env && o.Service == service {
			return o.Value.(conf.Bootstrap)
		}
	}
	t.Fatalf("no bootstrap rendered for %s in %s", service, env)
	return conf.Bootstrap{}
}

// loadSpec writes a spec directory from files and loads it.
func loadSpec(t *testing.T, files map[string]string) *schema.Model {
	return testutil.LoadSpec(t, files)
}

// minimalPlatform is a platform with one environment and no config centre.
const minimalPlatform = `package platform

platform: {
	name: "mini"
	registry: {kind: "kubernetes"}
}
environments: dev: {tier: "dev"}
`

func TestShopGolden(t *testing.T) {
	_, files := renderFiles(t, loadShop(t))
	testutil.GoldenFiles(t, filepath.Join("testdata", "golden"), files, *update)
}

func TestRenderIsDeterministic(t *testing.T) {
	_, first := renderFiles(t, loadShop(t))
	for range 3 {
		_, again := renderFiles(t, loadShop(t))
		if len(again) != len(first) {
			t.Fatalf("rendered %d files, then %d", len(first), len(again))
		}
		for i := range first {
			if first[i].Path != again[i].Path || !bytes.Equal(first[i].Data, again[i].Data) {
				t.Fatalf("render is not deterministic: %s differs between runs", first[i].Path)
			}
		}
	}
}

func TestOneBootstrapPerServiceAndEnvironment(t *testing.T) {
	m := loadShop(t)
	objs, _ := renderFiles(t, m)
	var got []string
	for _, o := range objs {
		got = append(got, o.Path)
		if o.Target != render.TargetKratos {
			t.Errorf("%s: target %q, want %q", o.Path, o.Target, render.TargetKratos)
		}
		ns := m.Environments[o.Env].Namespace
		if want := (render.Identity{Kind: "KratosBootstrap", Namespace: ns, Name: o.Service}); o.ID != want {
			t.Errorf("%s: identity %+v, want %+v", o.Path, o.ID, want)
		}
		if want := m.Services[o.Service].Pos.File; o.Source != want {
			t.Errorf("%s: source %q, want %q", o.Path, o.Source, want)
		}
	}
	var want []string
	for _, env := range m.EnvironmentNames() {
		for _, svc := range m.ServiceNames() {
			if res, _ := m.Resolve(env); !res.Services[svc].IsApp() {
				continue // a backing service runs no Kratos
			}
			want = append(want, env+"/kratos/"+svc+"/config.yaml")
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("object paths (-want +got):\n%s", diff)
	}
}

func TestMiddlewareOrderFollowsSpec(t *testing.T) {
	objs, _ := renderFiles(t, loadShop(t))
	if got, want := bootstrapOf(t, objs, "prod", "orders").Middleware, []string{"recovery", "tracing", "logging", "metrics", "auth"}; !slices.Equal(got, want) {
		t.Errorf("orders middleware %v, want %v", got, want)
	}

	// An order no default would produce survives as written, not sorted.
	m := loadSpec(t, map[string]string{
		"platform.cue": minimalPlatform,
		"svc.cue": `package platform
services: api: {owner: "t", image: "ghcr.io/acme/api", version: "v1",
	middleware: ["metadata", "recovery", "auth", "tracing", "ratelimit", "logging"]}
`,
	})
	objs, files := renderFiles(t, m)
	want := []string{"metadata", "recovery", "auth", "tracing", "ratelimit", "logging"}
	if got := bootstrapOf(t, objs, "dev", "api").Middleware; !slices.Equal(got, want) {
		t.Errorf("middleware %v, want %v", got, want)
	}
	if !bytes.Contains(files[0].Data, []byte("middleware:\n  - metadata\n  - recovery\n  - auth\n  - tracing\n  - ratelimit\n  - logging\n")) {
		t.Errorf("written middleware list is not in spec order:\n%s", files[0].Data)
	}
}

// TestClientsDialClusterDNSNamesInsideTheMesh: every dependency and the
// fallback are dialled by their cluster DNS name, so the caller's sidecar
// routes the call; the mesh owns the retries (the default), so the clients
// retry nothing.
func TestClientsDialClusterDNSNamesInsideTheMesh(t *testing.T) {
	objs, _ := renderFiles(t, loadShop(t))
	bc := bootstrapOf(t, objs, "prod", "orders")
	dns := func(svc string) (string, string) {
		return "dns:///" + svc + ".shop-prod.svc.cluster.local:9000", "http://" + svc + ".shop-prod.svc.cluster.local:8000"
	}
	client := func(svc string, c conf.Client) conf.Client {
		c.Endpoint, c.HTTPEndpoint = dns(svc)
		return c
	}
	want := map[string]conf.Client{
		"payments": client("payments", conf.Client{Timeout: ms(800),
			CircuitBreaker: &conf.CircuitBreaker{MinRequests: 50, Interval: ms(30000), Timeout: ms(10000), ErrorThreshold: 0.02}}),
		"inventory": client("inventory", conf.Client{Timeout: ms(300),
			CircuitBreaker: &conf.CircuitBreaker{MinRequests: 100, Interval: ms(60000), Timeout: ms(5000), ErrorThreshold: 0.05}}),
		"users": client("users", conf.Client{Timeout: ms(200),
			CircuitBreaker: &conf.CircuitBreaker{MinRequests: 100, Interval: ms(60000), Timeout: ms(5000), ErrorThreshold: 0.05}}),
		"notifications": client("notifications", conf.Client{Timeout: ms(200), Optional: true,
			CircuitBreaker: &conf.CircuitBreaker{MinRequests: 20, Interval: ms(60000), Timeout: ms(5000), ErrorThreshold: 0.2}}),
		// The degradation fallback, with the fallback timeout.
		"orders-lite": client("orders-lite", conf.Client{Timeout: ms(150),
			CircuitBreaker: &conf.CircuitBreaker{MinRequests: 100, Interval: ms(60000), Timeout: ms(5000), ErrorThreshold: 0.05}}),
	}
	if diff := cmp.Diff(want, bc.Clients); diff != "" {
		t.Errorf("orders clients (-want +got):\n%s", diff)
	}
	if got := bootstrapOf(t, objs, "prod", "inventory").Clients; got != nil {
		t.Errorf("inventory has no dependencies but got clients %v", got)
	}
}

// TestAppOwnedRetriesAreTheClients: with mesh.retryOwner "app" the client
// carries the declared retries and their retryOn.
func TestAppOwnedRetriesAreTheClients(t *testing.T) {
	m := loadSpec(t, map[string]string{
		"platform.cue": strings.Replace(minimalPlatform, "platform: {", "platform: {\n\tmesh: retryOwner: \"app\"", 1),
		"svc.cue": `package platform
services: caller: {owner: "t", image: "ghcr.io/acme/caller", version: "v1",
	dependencies: callee: {timeout: "500ms", retries: {attempts: 2, perTryTimeout: "100ms", retryOn: "5xx"}}}
services: callee: {owner: "t", image: "ghcr.io/acme/callee", version: "v1"}
`,
	})
	objs, _ := renderFiles(t, m)
	got := bootstrapOf(t, objs, "dev", "caller").Clients["callee"].Retries
	if diff := cmp.Diff(&conf.Retries{Attempts: 2, PerTryTimeout: ms(100), RetryOn: "5xx"}, got); diff != "" {
		t.Errorf("retries (-want +got):\n%s", diff)
	}
}

func TestClientBreakerIsTheDependencysOwn(t *testing.T) {
	// The caller declares no breaker; the callee's breaker is the one its
	// callers apply, in the Kratos client as in the mesh.
	m := loadSpec(t, map[string]string{
		"platform.cue": minimalPlatform,
		"svc.cue": `package platform
services: caller: {owner: "t", image: "ghcr.io/acme/caller", version: "v1",
	dependencies: callee: timeout: "100ms"}
services: callee: {owner: "t", image: "ghcr.io/acme/callee", version: "v1",
	resilience: circuitBreaker: {minRequests: 7, interval: "1m30s", timeout: "2s", errorThreshold: 0.3}}
`,
	})
	objs, _ := renderFiles(t, m)
	clients := bootstrapOf(t, objs, "dev", "caller").Clients
	want := &conf.CircuitBreaker{MinRequests: 7, Interval: ms(90000), Timeout: ms(2000), ErrorThreshold: 0.3}
	if diff := cmp.Diff(want, clients["callee"].CircuitBreaker); diff != "" {
		t.Errorf("callee breaker (-want +got):\n%s", diff)
	}
}

func TestServersListenOnSpecPortsWithServiceTimeout(t *testing.T) {
	objs, _ := renderFiles(t, loadShop(t))
	want := conf.Server{
		HTTP: conf.Transport{Network: "tcp", Addr: "0.0.0.0:8000", Timeout: ms(250)},
		GRPC: conf.Transport{Network: "tcp", Addr: "0.0.0.0:9000", Timeout: ms(250)},
	}
	if diff := cmp.Diff(want, bootstrapOf(t, objs, "staging", "inventory").Server); diff != "" {
		t.Errorf("inventory servers (-want +got):\n%s", diff)
	}
}

func TestEnvironmentOverlayReachesBootstrap(t *testing.T) {
	objs, _ := renderFiles(t, loadShop(t))
	if got := bootstrapOf(t, objs, "dev", "orders").RateLimit.RPS; got != 200 {
		t.Errorf("orders dev rps %d, want the base 200", got)
	}
	if got := bootstrapOf(t, objs, "prod", "orders").RateLimit.RPS; got != 1000 {
		t.Errorf("orders prod rps %d, want the prod overlay's 1000", got)
	}
	if got := bootstrapOf(t, objs, "prod", "orders").Service; got != (conf.Service{Name: "orders", Version: "v1.4.2", Env: "prod", Namespace: "shop-prod"}) {
		t.Errorf("orders service block %+v", got)
	}
}

func TestConfigCenterEntryIsInEnvironmentNamespace(t *testing.T) {
	objs, _ := renderFiles(t, loadShop(t))
	tests := []struct {
		env, service string
		want         conf.ConfigCenter
	}{
		{"prod", "orders", conf.ConfigCenter{Kind: "nacos", Address: "nacos.shop:8848", Namespace: "shop-prod", Group: "DEFAULT_GROUP", DataID: "orders.yaml", Format: "yaml", LongPolling: ms(30000)}},
		{"dev", "payments", conf.ConfigCenter{Kind: "nacos", Address: "nacos.shop:8848", Namespace: "shop-dev", Group: "DEFAULT_GROUP", DataID: "payments.properties", Format: "properties", LongPolling: ms(30000)}},
		{"staging", "users", conf.ConfigCenter{Kind: "nacos", Address: "nacos.shop:8848", Namespace: "shop-staging", Group: "DEFAULT_GROUP", DataID: "users.json", Format: "json", LongPolling: ms(30000)}},
	}
	for _, tt := range tests {
		t.Run(tt.env+"/"+tt.service, func(t *testing.T) {
			if diff := cmp.Diff(&tt.want, bootstrapOf(t, objs, tt.env, tt.service).ConfigCenter); diff != "" {
				t.Errorf("config centre (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServiceGroupOverridesPlatformGroup(t *testing.T) {
	m := loadSpec(t, map[string]string{
		"platform.cue": `package platform
platform: {
	name: "mini"
	registry: {kind: "kubernetes"}
	configCenter: {kind: "nacos", address: "nacos:8848", group: "PLATFORM"}
}
environments: dev: {tier: "dev", namespace: "mini-development"}
`,
		"svc.cue": `package platform
services: a: {owner: "t", image: "ghcr.io/acme/a", version: "v1", config: {group: "TEAM_A", format: "text"}}
services: b: {owner: "t", image: "ghcr.io/acme/b", version: "v1"}
`,
	})
	objs, _ := renderFiles(t, m)
	a, b := bootstrapOf(t, objs, "dev", "a").ConfigCenter, bootstrapOf(t, objs, "dev", "b").ConfigCenter
	if a.Group != "TEAM_A" || a.DataID != "a.txt" || a.Namespace != "mini-development" {
		t.Errorf("a: group %q dataId %q namespace %q, want TEAM_A a.txt mini-development", a.Group, a.DataID, a.Namespace)
	}
	if b.Group != "PLATFORM" || b.DataID != "b.yaml" {
		t.Errorf("b: group %q dataId %q, want PLATFORM b.yaml", b.Group, b.DataID)
	}
}

func TestNoConfigCenterOrClientsWhenSpecHasNone(t *testing.T) {
	m := loadSpec(t, map[string]string{
		"platform.cue": minimalPlatform,
		"svc.cue": `package platform
services: api: {owner: "t", image: "ghcr.io/acme/api", version: "v1"}
`,
	})
	objs, files := renderFiles(t, m)
	bc := bootstrapOf(t, objs, "dev", "api")
	if bc.ConfigCenter != nil || bc.Clients != nil || bc.RateLimit != nil || bc.Degradation != nil {
		t.Errorf("want no config centre, clients, rate limit or degradation, got %+v", bc)
	}
	if bc.Registry.Address != "" || bc.Trace.Endpoint != "" {
		t.Errorf("kubernetes registry and no tracing endpoint must leave the addresses empty, got %+v %+v", bc.Registry, bc.Trace)
	}
	for _, key := range []string{"config_center:", "clients:", "rate_limit:", "degradation:", "address:", "endpoint:"} {
		if bytes.Contains(files[0].Data, []byte(key)) {
			t.Errorf("written file has %s although the spec sets nothing for it:\n%s", key, files[0].Data)
		}
	}
}

func TestSamePortForHTTPAndGRPCIsAnErrorAtTheSpec(t *testing.T) {
	m := loadSpec(t, map[string]string{
		"platform.cue": minimalPlatform,
		"services/api.cue": `package platform
services: api: {
	owner: "t", image: "ghcr.io/acme/api", version: "v1"
	ports: {http: 8080, grpc: 8080}
}
`,
	})
	_, err := kratos.Renderer{}.Render(context.Background(), m, m.EnvironmentNames())
	if err == nil {
		t.Fatal("render succeeded with http and grpc on one port")
	}
	var list *diag.List
	if !asErrorList(err, &list) || list.Len() != 1 {
		t.Fatalf("want one *diag.List entry, got %T: %v", err, err)
	}
	if pos := list.Diags[0].Pos; pos.File != "services/api.cue" || pos.Line != 4 {
		t.Errorf("error at %s, want services/api.cue:4", pos)
	}
	if !strings.Contains(err.Error(), "same port 8080") {
		t.Errorf("error %q does not name the port", err)
	}
}

func TestRenderFailsOnUnknownEnvironment(t *testing.T) {
	m := loadShop(t)
	_, err := kratos.Renderer{}.Render(context.Background(), m, []string{"qa"})
	if err == nil || !strings.Contains(err.Error(), "render kratos for qa") {
		t.Fatalf("want an error naming the environment, got %v", err)
	}
}

func TestRenderStopsWhenContextIsCancelled(t *testing.T) {
	m := loadShop(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (kratos.Renderer{}).Render(ctx, m, m.EnvironmentNames()); err != context.Canceled {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func asErrorList(err error, target **diag.List) bool {
	l, ok := err.(*diag.List)
	*target = l
	return ok
}

func ms(n int) conf.Duration { return conf.Duration(int64(n) * 1_000_000) }
