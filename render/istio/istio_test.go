package istio

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	networking "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1beta1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	networkingv1alpha3 "istio.io/client-go/pkg/apis/networking/v1alpha3"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"
	telemetryv1 "istio.io/client-go/pkg/apis/telemetry/v1"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// weights returns the destinations of a route: "subset=weight" for a
// split, the subset alone for a route to one subset.
func weights(r *networking.HTTPRoute) []string {
	var out []string
	for _, d := range r.Route {
		if len(r.Route) == 1 {
			out = append(out, d.Destination.Subset)
			continue
		}
		out = append(out, d.Destination.Subset+"="+strconv.Itoa(int(d.Weight)))
	}
	return out
}

// route returns the route of the given name.
func route(t *testing.T, vs *networkingv1.VirtualService, name string) *networking.HTTPRoute {
	t.Helper()
	for _, r := range vs.Spec.Http {
		if r.Name == name {
			return r
		}
	}
	var names []string
	for _, r := range vs.Spec.Http {
		names = append(names, r.Name)
	}
	t.Fatalf("VirtualService %s has no route %q (routes: %v)", vs.Name, name, names)
	return nil
}

func routeNames(vs *networkingv1.VirtualService) []string {
	var names []string
	for _, r := range vs.Spec.Http {
		names = append(names, r.Name)
	}
	return names
}

func subsets(dr *networkingv1.DestinationRule) map[string]string {
	out := map[string]string{}
	for _, s := range dr.Spec.Subsets {
		out[s.Name] = s.Labels[LabelVersion]
	}
	return out
}

func TestCanaryWeightsFromFirstStep(t *testing.T) {
	_, objs := renderShop(t, Options{})
	vs := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "orders")
	// prod's canary steps are [10, 30, 100]: the canary starts at 10 %.
	if got, want := weights(route(t, vs, "default-http")), []string{"stable=90", "canary=10"}; !slices.Equal(got, want) {
		t.Errorf("default route weights = %v, want %v", got, want)
	}
	dr := find[*networkingv1.DestinationRule](t, objs, "prod", "DestinationRule", "orders")
	if got, want := subsets(dr), map[string]string{"stable": "v1.4.1", "canary": "v1.4.2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("subsets = %v, want %v", got, want)
	}
}

func TestCanaryWeightOptionRendersStepK(t *testing.T) {
	for _, tc := range []struct {
		weight int
		want   []string
	}{
		{30, []string{"stable=70", "canary=30"}},
		{0, []string{"stable=100", "canary=0"}},
		{100, []string{"stable=0", "canary=100"}},
	} {
		w := tc.weight
		_, objs := renderShop(t, Options{CanaryWeight: &w})
		vs := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "orders")
		for _, name := range []string{"default-http", "default-grpc", "default-from-gateway-http"} {
			if got := weights(route(t, vs, name)); !slices.Equal(got, tc.want) {
				t.Errorf("weight %d: route %s weights = %v, want %v", w, name, got, tc.want)
			}
		}
	}
}

func TestCanaryWeightOutOfRangeIsAnError(t *testing.T) {
	m := loadShop(t)
	for _, w := range []int{-1, 101} {
		_, err := Renderer{Options: Options{CanaryWeight: &w}}.Render(context.Background(), m, []string{"prod"})
		if err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("weight %d: err = %v, want out of range", w, err)
		}
	}
}

func TestCanaryRoutesOnlyWhileACanaryIsInProgress(t *testing.T) {
	_, objs := renderShop(t, Options{})
	// orders rolls out only in prod; users rolls out nowhere.
	for _, tc := range []struct{ env, service string }{{"dev", "orders"}, {"staging", "orders"}, {"prod", "users"}} {
		vs := find[*networkingv1.VirtualService](t, objs, tc.env, "VirtualService", tc.service)
		for _, r := range vs.Spec.Http {
			if len(r.Route) != 1 || r.Route[0].Destination.Subset != SubsetStable {
				t.Errorf("%s/%s route %s goes to %v, want stable only", tc.service, tc.env, r.Name, weights(r))
			}
			if strings.HasPrefix(r.Name, "canary") {
				t.Errorf("%s/%s has canary route %s", tc.service, tc.env, r.Name)
			}
		}
		dr := find[*networkingv1.DestinationRule](t, objs, tc.env, "DestinationRule", tc.service)
		if _, ok := subsets(dr)[SubsetCanary]; ok {
			t.Errorf("%s/%s has a canary subset", tc.service, tc.env)
		}
	}
}

func TestStableIsTheNewVersionWhereTheEnvironmentDoesNotStageRollouts(t *testing.T) {
	const svc = `services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v2", traffic: stableVersion: "v1"}`
	dev := renderSpec(t, "dev", Options{}, svc)
	if got := subsets(find[*networkingv1.DestinationRule](t, dev, "dev", "DestinationRule", "a")); !reflect.DeepEqual(got, map[string]string{"stable": "v2"}) {
		t.Errorf("dev subsets = %v, want only stable=v2 (dev deploys the version directly)", got)
	}
	prod := renderSpec(t, "prod", Options{}, svc)
	if got := subsets(find[*networkingv1.DestinationRule](t, prod, "prod", "DestinationRule", "a")); !reflect.DeepEqual(got, map[string]string{"stable": "v1", "canary": "v2"}) {
		t.Errorf("prod subsets = %v, want stable=v1 canary=v2", got)
	}
	vs := find[*networkingv1.VirtualService](t, prod, "prod", "VirtualService", "a")
	if got, want := weights(route(t, vs, "default-http")), []string{"stable=80", "canary=20"}; !slices.Equal(got, want) {
		t.Errorf("prod weights = %v, want %v", got, want)
	}
}

func TestCanaryOptOutKeepsAllTrafficOnOneVersion(t *testing.T) {
	const svc = `services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v2", traffic: {stableVersion: "v1", canary: false}}`
	prod := renderSpec(t, "prod", Options{}, svc)
	vs := find[*networkingv1.VirtualService](t, prod, "prod", "VirtualService", "a")
	if got, want := routeNames(vs), []string{"env-http", "default-http", "env-grpc", "default-grpc"}; !slices.Equal(got, want) {
		t.Errorf("routes = %v, want %v", got, want)
	}
}

func TestColouringRoutesByHeaders(t *testing.T) {
	_, objs := renderShop(t, Options{})
	vs := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "orders")
	canary := route(t, vs, "canary-http")
	if got := canary.Match[0].Headers["x-canary"].GetExact(); got != "true" {
		t.Errorf("canary route matches x-canary %q, want \"true\"", got)
	}
	if got := weights(canary); !slices.Equal(got, []string{"canary"}) {
		t.Errorf("canary route goes to %v, want the canary subset", got)
	}
	env := route(t, vs, "env-http")
	if got := env.Match[0].Headers["x-env"].GetExact(); got != "prod" {
		t.Errorf("env route matches x-env %q, want prod", got)
	}
	if got := weights(env); !slices.Equal(got, []string{"stable"}) {
		t.Errorf("env route goes to %v, want the stable subset", got)
	}
	// The coloured routes come before the split, per port; each caller
	// with its own timeout or retries first.
	if got, want := routeNames(vs), []string{
		"canary-from-gateway-http", "env-from-gateway-http", "default-from-gateway-http",
		"canary-from-gateway-grpc", "env-from-gateway-grpc", "default-from-gateway-grpc",
		"canary-http", "env-http", "default-http", "canary-grpc", "env-grpc", "default-grpc",
	}; !slices.Equal(got, want) {
		t.Errorf("routes = %v, want %v", got, want)
	}
}

func TestColouringCanBeDisabled(t *testing.T) {
	const svc = `services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v2", traffic: {stableVersion: "v1", colouring: enabled: false}}`
	objs := renderSpec(t, "prod", Options{}, svc)
	vs := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "a")
	if got := routeNames(vs); !slices.Equal(got, []string{"default-http", "default-grpc"}) {
		t.Errorf("routes = %v, want only the default split", got)
	}
}

func TestCustomColouringHeaders(t *testing.T) {
	const svc = `services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v2", traffic: {stableVersion: "v1", colouring: {envHeader: "x-stage", canaryHeader: "x-beta"}}}`
	objs := renderSpec(t, "prod", Options{}, svc)
	vs := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "a")
	if _, ok := route(t, vs, "canary-http").Match[0].Headers["x-beta"]; !ok {
		t.Errorf("canary route does not match the x-beta header")
	}
	if _, ok := route(t, vs, "env-http").Match[0].Headers["x-stage"]; !ok {
		t.Errorf("env route does not match the x-stage header")
	}
}

// TestRouteTimeoutIsTheCallersDependencyTimeout: the deadline of a
// caller's routes is the timeout it declares for the call, within which
// its retries must complete; the rest get the service's own deadline.
func TestRouteTimeoutIsTheCallersDependencyTimeout(t *testing.T) {
	_, objs := renderShop(t, Options{})
	vs := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "users")
	m := loadShop(t)
	res, err := m.Resolve("prod")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range vs.Spec.Http {
		want := 180 * time.Millisecond // users' own timeout
		if i := strings.Index(r.Name, "-from-"); i >= 0 {
			callers := strings.Split(strings.TrimSuffix(strings.TrimSuffix(r.Name[i+len("-from-"):], "-http"), "-grpc"), "+")
			want = res.Services[callers[0]].Dependencies["users"].Timeout.D()
		}
		if got := r.Timeout.AsDuration(); got != want {
			t.Errorf("route %s timeout = %s, want %s", r.Name, got, want)
		}
	}
	if got := route(t, vs, "default-from-gateway-http").Timeout.AsDuration(); got == 180*time.Millisecond {
		t.Errorf("gateway's route keeps users' own deadline %s", got)
	}
}

// TestAppOwnedRetriesDisableTheMeshRetries: with retryOwner "app" every
// route turns the sidecar's retries off, and the Kratos clients retry.
func TestAppOwnedRetriesDisableTheMeshRetries(t *testing.T) {
	const svcs = `
services: a: {owner: "t", image: "ghcr.io/x/a", version: "v1"}
services: b: {owner: "t", image: "ghcr.io/x/b", version: "v1", dependencies: a: {timeout: "500ms", retries: {attempts: 2, perTryTimeout: "100ms"}}}
`
	spec := strings.Replace(platformCUE, `name: "t"`, `name: "t"
	mesh: retryOwner: "app"`, 1)
	m := loadSpec(t, map[string]string{"platform.cue": spec, "services.cue": "package platform\n" + svcs})
	objs, err := Renderer{}.Render(context.Background(), m, []string{"dev"})
	if err != nil {
		t.Fatal(err)
	}
	vs := find[*networkingv1.VirtualService](t, objs, "dev", "VirtualService", "a")
	for _, r := range vs.Spec.Http {
		if r.Retries == nil || r.Retries.Attempts != 0 || r.Retries.PerTryTimeout != nil {
			t.Errorf("route %s retries = %v, want attempts 0", r.Name, r.Retries)
		}
	}
	if got := route(t, vs, "default-from-b-http").Timeout.AsDuration(); got != 500*time.Millisecond {
		t.Errorf("b's route timeout = %s, want its 500ms", got)
	}
}

func TestRetriesAreThoseEachCallerDeclares(t *testing.T) {
	_, objs := renderShop(t, Options{})
	vs := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "users")
	// gateway, notifications and payments declare retries for users;
	// orders and orders-lite declare none and get the mesh default.
	for _, tc := range []struct {
		caller   string
		attempts int32
		perTry   time.Duration
	}{
		{"gateway", 2, 130 * time.Millisecond},
		{"notifications", 2, 60 * time.Millisecond},
		{"payments", 1, 100 * time.Millisecond},
	} {
		r := route(t, vs, "default-from-"+tc.caller+"-http")
		if got := r.Match[0].SourceLabels; !reflect.DeepEqual(got, map[string]string{"app": tc.caller}) || r.Match[0].Port != 9000 && r.Match[0].Port != 8000 {
			t.Errorf("%s route matches source labels %v", tc.caller, got)
		}
		if r.Retries.GetAttempts() != tc.attempts || r.Retries.GetPerTryTimeout().AsDuration() != tc.perTry {
			t.Errorf("%s route retries = %v, want %d attempts of %s", tc.caller, r.Retries, tc.attempts, tc.perTry)
		}
		if r.Retries.GetRetryOn() != "5xx,reset,connect-failure,retriable-4xx" {
			t.Errorf("%s route retryOn = %q", tc.caller, r.Retries.GetRetryOn())
		}
	}
	if r := route(t, vs, "default-http"); r.Retries != nil || len(r.Match) != 1 || r.Match[0].Port != 8000 || r.Match[0].SourceLabels != nil {
		t.Errorf("catch-all route has retries %v, match %v; want none and the HTTP port", r.Retries, r.Match)
	}
}

func TestCallersWithTheSameRetriesShareRoutes(t *testing.T) {
	const svcs = `
services: a: {owner: "t", image: "ghcr.io/x/a", version: "v1"}
services: b: {owner: "t", image: "ghcr.io/x/b", version: "v1", dependencies: a: retries: {attempts: 3, perTryTimeout: "100ms"}}
services: c: {owner: "t", image: "ghcr.io/x/c", version: "v1", dependencies: a: retries: {attempts: 3, perTryTimeout: "100ms"}}
services: d: {owner: "t", image: "ghcr.io/x/d", version: "v1", dependencies: a: retries: {attempts: 0, perTryTimeout: "100ms"}}
`
	objs := renderSpec(t, "dev", Options{}, svcs)
	vs := find[*networkingv1.VirtualService](t, objs, "dev", "VirtualService", "a")
	if got, want := routeNames(vs), []string{
		"env-from-b+c-http", "default-from-b+c-http", "env-from-b+c-grpc", "default-from-b+c-grpc",
		"env-from-d-http", "default-from-d-http", "env-from-d-grpc", "default-from-d-grpc",
		"env-http", "default-http", "env-grpc", "default-grpc",
	}; !slices.Equal(got, want) {
		t.Fatalf("routes = %v, want %v", got, want)
	}
	if got := len(route(t, vs, "default-from-b+c-http").Match); got != 2 {
		t.Errorf("shared route has %d matches, want one per caller", got)
	}
	// attempts: 0 disables retries, unlike declaring none.
	if r := route(t, vs, "default-from-d-http"); r.Retries == nil || r.Retries.Attempts != 0 {
		t.Errorf("caller d's retries = %v, want attempts 0", r.Retries)
	}
}

func TestPublicServiceIsRoutedFromItsGateway(t *testing.T) {
	_, objs := renderShop(t, Options{})
	vs := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "gateway")
	if got, want := vs.Spec.Hosts, []string{"gateway.shop-prod.svc.cluster.local"}; !slices.Equal(got, want) || len(vs.Spec.Gateways) != 0 {
		t.Errorf("mesh VirtualService hosts = %v gateways %v, want %v and the mesh", got, vs.Spec.Gateways, want)
	}
	pub := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "gateway-public")
	if got, want := pub.Spec.Hosts, []string{"shop.acme.io", "api.shop.acme.io"}; !slices.Equal(got, want) {
		t.Errorf("public hosts = %v, want %v", got, want)
	}
	if got, want := pub.Spec.Gateways, []string{"gateway-public"}; !slices.Equal(got, want) {
		t.Errorf("gateways = %v, want %v", got, want)
	}
	gw := find[*networkingv1.Gateway](t, objs, "prod", "Gateway", "gateway-public")
	if got := gw.Spec.Selector; !reflect.DeepEqual(got, map[string]string{"istio": "ingressgateway"}) {
		t.Errorf("gateway selector = %v", got)
	}
	for _, srv := range gw.Spec.Servers {
		if !slices.Equal(srv.Hosts, pub.Spec.Hosts) {
			t.Errorf("server %s hosts = %v, want the public hosts", srv.Port.Name, srv.Hosts)
		}
	}
	r := route(t, pub, "ingress-http")
	if m := r.Match[0]; m.Uri.GetPrefix() != "/" {
		t.Errorf("ingress route match = %v, want prefix /", m)
	}
	if got := r.Route[0].Destination.Port.GetNumber(); got != 8000 {
		t.Errorf("ingress route port = %d, want the HTTP port 8000", got)
	}
	// The edge strips the colouring headers: clients must not choose the canary.
	if got := r.Headers.GetRequest().GetRemove(); !slices.Equal(got, []string{"x-env", "x-canary"}) {
		t.Errorf("ingress route removes %v, want the colouring headers", got)
	}
}

func TestGatewayServesHTTPSWithTheSpecsCredential(t *testing.T) {
	const svc = `services: a: {owner: "t", image: "ghcr.io/x/a", version: "v1", exposure: {public: true, hosts: ["a.example.com"], tls: credentialName: "a-cert"}}`
	objs := renderSpec(t, "prod", Options{}, svc)
	gw := find[*networkingv1.Gateway](t, objs, "prod", "Gateway", "a-public")
	if len(gw.Spec.Servers) != 2 {
		t.Fatalf("servers = %v, want http (redirect) and https", gw.Spec.Servers)
	}
	if !gw.Spec.Servers[0].Tls.GetHttpsRedirect() {
		t.Errorf("port 80 does not redirect to HTTPS")
	}
	https := gw.Spec.Servers[1]
	if https.Port.Number != 443 || https.Tls.GetMode() != networking.ServerTLSSettings_SIMPLE || https.Tls.GetCredentialName() != "a-cert" {
		t.Errorf("https server = %v", https)
	}
}

func TestMirrorCopiesOnlyIdempotentMethods(t *testing.T) {
	const svc = `services: a: {owner: "t", image: "ghcr.io/x/a", version: "v2", traffic: stableVersion: "v1"}`
	objs := renderSpec(t, "staging", Options{}, svc)
	vs := find[*networkingv1.VirtualService](t, objs, "staging", "VirtualService", "a")
	reads := route(t, vs, "default-reads-http")
	if reads.Mirror.GetSubset() != SubsetCanary || reads.Match[0].Method.GetRegex() != idempotentMethods {
		t.Errorf("reads route mirror %v method %v", reads.Mirror, reads.Match[0].Method)
	}
	for _, r := range vs.Spec.Http {
		if r.Mirror != nil && r.Name != "default-reads-http" {
			t.Errorf("route %s mirrors every method", r.Name)
		}
	}
}

func TestAuthorizationPolicyAllowsExactlyDeclaredCallers(t *testing.T) {
	_, objs := renderShop(t, Options{})
	ap := find[*securityv1.AuthorizationPolicy](t, objs, "prod", "AuthorizationPolicy", "users")
	if ap.Spec.Action != security.AuthorizationPolicy_ALLOW {
		t.Errorf("action = %v, want ALLOW", ap.Spec.Action)
	}
	if got := ap.Spec.Selector.GetMatchLabels(); !reflect.DeepEqual(got, map[string]string{"app": "users"}) {
		t.Errorf("selector = %v", got)
	}
	if len(ap.Spec.Rules) != 1 {
		t.Fatalf("rules = %v, want one", ap.Spec.Rules)
	}
	var got []string
	for _, f := range ap.Spec.Rules[0].From {
		got = append(got, f.Source.Principals...)
	}
	want := []string{
		"cluster.local/ns/shop-prod/sa/gateway",
		"cluster.local/ns/shop-prod/sa/notifications",
		"cluster.local/ns/shop-prod/sa/orders",
		"cluster.local/ns/shop-prod/sa/orders-lite",
		"cluster.local/ns/shop-prod/sa/payments",
	}
	if !slices.Equal(got, want) {
		t.Errorf("principals = %v, want %v", got, want)
	}
}

func TestFallbackServiceAllowsTheServiceThatDegradesToIt(t *testing.T) {
	_, objs := renderShop(t, Options{})
	// orders degrades to orders-lite, which nobody lists as a dependency.
	ap := find[*securityv1.AuthorizationPolicy](t, objs, "prod", "AuthorizationPolicy", "orders-lite")
	if len(ap.Spec.Rules) != 1 || !slices.Equal(ap.Spec.Rules[0].From[0].Source.Principals, []string{"cluster.local/ns/shop-prod/sa/orders"}) {
		t.Errorf("orders-lite rules = %v, want orders allowed", ap.Spec.Rules)
	}
	sc := find[*networkingv1.Sidecar](t, objs, "prod", "Sidecar", "orders")
	if !slices.Contains(sc.Spec.Egress[0].Hosts, "./orders-lite.shop-prod.svc.cluster.local") {
		t.Errorf("orders' sidecar egress %v lacks its fallback", sc.Spec.Egress[0].Hosts)
	}
}

func TestPublicServiceAllowsIngressGateway(t *testing.T) {
	_, objs := renderShop(t, Options{})
	ap := find[*securityv1.AuthorizationPolicy](t, objs, "prod", "AuthorizationPolicy", "gateway")
	if len(ap.Spec.Rules) != 1 {
		t.Fatalf("rules = %v, want the ingress gateway's only (nobody calls gateway)", ap.Spec.Rules)
	}
	r := ap.Spec.Rules[0]
	if got := r.From[0].Source.Principals; !slices.Equal(got, []string{"cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"}) {
		t.Errorf("principals = %v", got)
	}
	if got := r.To[0].Operation.Paths; !slices.Equal(got, []string{"/*"}) {
		t.Errorf("paths = %v, want the exposed prefix /*", got)
	}
}

func TestServiceNobodyCallsDeniesEverything(t *testing.T) {
	const svc = `services: lonely: {owner: "t", image: "ghcr.io/x/l", version: "v1"}`
	objs := renderSpec(t, "dev", Options{}, svc)
	ap := find[*securityv1.AuthorizationPolicy](t, objs, "dev", "AuthorizationPolicy", "lonely")
	if ap.Spec.Action != security.AuthorizationPolicy_ALLOW || len(ap.Spec.Rules) != 0 {
		t.Errorf("policy = action %v, rules %v; want ALLOW without rules (deny all)", ap.Spec.Action, ap.Spec.Rules)
	}
	// An ALLOW policy without rules must not become "no policy": the
	// selector has to stay, and the object must exist.
	spec := specJSON(t, ap)
	if _, ok := spec["selector"]; !ok || len(spec) != 1 {
		t.Errorf("spec = %v, want only the selector", spec)
	}
}

func TestRedisRateLimitRendersNoEnvoyFilter(t *testing.T) {
	_, objs := renderShop(t, Options{})
	// payments limits through Redis; orders locally.
	for _, env := range []string{"dev", "staging", "prod"} {
		if has(objs, env, "EnvoyFilter", "payments-local-ratelimit") {
			t.Errorf("%s: payments (redis rate limit) has an EnvoyFilter", env)
		}
		if !has(objs, env, "EnvoyFilter", "orders-local-ratelimit") {
			t.Errorf("%s: orders (local rate limit) has no EnvoyFilter", env)
		}
		if has(objs, env, "EnvoyFilter", "users-local-ratelimit") {
			t.Errorf("%s: users (no rate limit) has an EnvoyFilter", env)
		}
	}
}

func TestLocalRateLimitIsAnInboundTokenBucket(t *testing.T) {
	_, objs := renderShop(t, Options{})
	ef := find[*networkingv1alpha3.EnvoyFilter](t, objs, "dev", "EnvoyFilter", "inventory-local-ratelimit")
	p := ef.Spec.ConfigPatches[0]
	if p.ApplyTo != networking.EnvoyFilter_HTTP_FILTER || p.Match.Context != networking.EnvoyFilter_SIDECAR_INBOUND {
		t.Errorf("patch applies to %v in %v, want HTTP_FILTER in SIDECAR_INBOUND", p.ApplyTo, p.Match.Context)
	}
	if got := ef.Spec.WorkloadSelector.GetLabels(); !reflect.DeepEqual(got, map[string]string{"app": "inventory"}) {
		t.Errorf("selector = %v", got)
	}
	v := p.Patch.Value.AsMap()
	tc := v["typed_config"].(map[string]any)
	if tc["@type"] != localRateLimitTypeURL || v["name"] != "envoy.filters.http.local_ratelimit" {
		t.Errorf("filter = %v / %v", v["name"], tc["@type"])
	}
	// inventory: rps 800, burst 200.
	if got, want := tc["token_bucket"], map[string]any{"max_tokens": 200.0, "tokens_per_fill": 200.0, "fill_interval": "0.250s"}; !reflect.DeepEqual(got, want) {
		t.Errorf("token_bucket = %v, want %v", got, want)
	}
}

func TestTokenBucketKeepsRateAndBurst(t *testing.T) {
	for _, tc := range []struct {
		rps, burst int
		want       bucket
	}{
		{200, 200, bucket{200, 200, time.Second}},
		{100, 250, bucket{250, 100, time.Second}},
		// burst < rps: refill burst-sized steps more often.
		{200, 50, bucket{50, 50, 250 * time.Millisecond}},
		{1000, 50, bucket{50, 50, 50 * time.Millisecond}},
		{300, 100, bucket{100, 99, 330 * time.Millisecond}},
		// No exact step: the interval is rounded (7 per 857ms ≈ 6.0012/s·…).
		{7, 6, bucket{6, 6, 857 * time.Millisecond}},
	} {
		e := &envRender{model: &schema.Model{}, env: &schema.Environment{Name: "dev"}}
		got, err := e.tokenBucket(&schema.Service{Name: "a"}, &schema.RateLimit{RPS: tc.rps, Burst: tc.burst})
		if err != nil || got != tc.want {
			t.Errorf("rps %d burst %d: %+v, %v; want %+v", tc.rps, tc.burst, got, err, tc.want)
		}
		if rate := float64(got.tokensPerFill) / got.fillInterval.Seconds(); rate < float64(tc.rps)*0.99 || rate > float64(tc.rps)*1.01 {
			t.Errorf("rps %d burst %d: sustained rate %.2f", tc.rps, tc.burst, rate)
		}
	}
}

func TestBurstTooSmallForEnvoyIsAnErrorAtTheSpec(t *testing.T) {
	const svc = `services: a: {
	owner: "t"
	image: "ghcr.io/x/a"
	version: "v1"
	resilience: rateLimit: {rps: 5000, burst: 100}
}`
	m := loadSpec(t, map[string]string{"platform.cue": platformCUE, "services.cue": "package platform\n\n" + svc})
	_, err := Renderer{}.Render(context.Background(), m, []string{"dev"})
	var re *diag.Diagnostic
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *diag.Diagnostic", err)
	}
	if re.Path.String() != "services.a.resilience.rateLimit.burst" || !slices.Equal(re.Environments, []string{"dev"}) || re.Pos.File != "services.cue" || re.Pos.Line != 7 {
		t.Errorf("error = %+v", re)
	}
	if !strings.HasPrefix(err.Error(), m.Dir+"/services.cue:7:") || !strings.Contains(err.Error(), ": services.a.resilience.rateLimit.burst: burst 100 is too small for rps 5000") {
		t.Errorf("message = %q", err)
	}
}

func TestSpecValuesIstioCannotExpressAreErrors(t *testing.T) {
	for _, tc := range []struct {
		name, svc, field string
	}{
		{"owner is not a label value", `owner: "acme/sre"`, "owner"},
		{"version is not a label value", `version: "v1-"`, "version"},
		{"timeout below a millisecond", `timeout: "500us"`, "timeout"},
		{"timeout not whole milliseconds", `timeout: "1500us"`, "timeout"},
		{"exposed host is not a DNS name", `exposure: {public: true, hosts: ["https://shop.example"]}`, "exposure.hosts[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := map[string]string{"owner": `owner: "t"`, "version": `version: "v1"`}
			for k := range fields {
				if strings.HasPrefix(tc.svc, k+":") {
					delete(fields, k)
				}
			}
			svc := "services: a: {\n\timage: \"ghcr.io/x/a\"\n\t" + tc.svc + "\n"
			for _, k := range slices.Sorted(maps.Keys(fields)) {
				svc += "\t" + fields[k] + "\n"
			}
			svc += "}\n"
			m := loadSpec(t, map[string]string{"platform.cue": platformCUE, "services.cue": "package platform\n\n" + svc})
			_, err := Renderer{}.Render(context.Background(), m, []string{"prod"})
			var re *diag.Diagnostic
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *diag.Diagnostic", err)
			}
			if re.Path.String() != "services.a."+tc.field || !slices.Equal(re.Environments, []string{"prod"}) || re.Pos.File != "services.cue" || re.Pos.Line != 5 {
				t.Errorf("error = %+v (%v)", re, err)
			}
		})
	}
}

func TestErrorsOfAllServicesAndEnvironmentsAreReported(t *testing.T) {
	const svc = `
services: a: {owner: "x/y", image: "ghcr.io/x/a", version: "v1"}
services: b: {owner: "x/y", image: "ghcr.io/x/b", version: "v1"}
`
	m := loadSpec(t, map[string]string{"platform.cue": platformCUE, "services.cue": "package platform\n" + svc})
	_, err := Renderer{}.Render(context.Background(), m, m.EnvironmentNames())
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	// One mistake per service, each met in all three environments: one
	// diagnostic per service, listing them.
	if len(lines) != 2 || !strings.Contains(lines[0], "services.a.owner") || !strings.HasSuffix(lines[0], "[in dev, prod, staging]") || !strings.Contains(lines[1], "services.b.owner") {
		t.Errorf("errors:\n%s", err)
	}
}

func TestOutlierDetectionFromCircuitBreaker(t *testing.T) {
	_, objs := renderShop(t, Options{})
	for _, tc := range []struct {
		service          string
		consecutive      uint32
		interval, ejects time.Duration
	}{
		// minRequests 100 × 5 %, interval 60s, open 5s (platform default).
		{"orders", 5, 5 * time.Second, 5 * time.Second},
		// minRequests 20 × 20 % = 4: never below 5.
		{"notifications", 5, 5 * time.Second, 5 * time.Second},
		// minRequests 50 × 2 % = 1, interval 30s, open 10s: 5, not one 5xx.
		{"payments", 5, 10 * time.Second, 10 * time.Second},
	} {
		dr := find[*networkingv1.DestinationRule](t, objs, "prod", "DestinationRule", tc.service)
		od := dr.Spec.TrafficPolicy.OutlierDetection
		if od.Consecutive_5XxErrors.GetValue() != tc.consecutive || od.Interval.AsDuration() != tc.interval ||
			od.BaseEjectionTime.AsDuration() != tc.ejects || od.MaxEjectionPercent != 50 {
			t.Errorf("%s: outlier detection = %v", tc.service, od)
		}
		if dr.Spec.TrafficPolicy.Tls.GetMode() != networking.ClientTLSSettings_ISTIO_MUTUAL {
			t.Errorf("%s: tls = %v, want ISTIO_MUTUAL", tc.service, dr.Spec.TrafficPolicy.Tls)
		}
	}
}

func TestConsecutiveErrorsFormula(t *testing.T) {
	for _, tc := range []struct {
		min       int
		threshold float64
		want      uint32
	}{
		{100, 0.05, 5}, // not 6: 100 × 0.05 is 5.000000000000001 in floating point
		{100, 0.06, 6},
		{20, 0.2, 5},  // 4: never below 5
		{50, 0.02, 5}, // 1: one 5xx must not eject a pod
		{10, 0.01, 5}, // 0.1 errors
		{100, 0, 5},
		{30, 0.3, 9},
		{13, 0.5, 7}, // 6.5 rounds up
	} {
		if got := consecutiveErrors(&schema.CircuitBreaker{MinRequests: tc.min, ErrorThreshold: tc.threshold}); got != tc.want {
			t.Errorf("%d × %g = %d, want %d", tc.min, tc.threshold, got, tc.want)
		}
	}
}

func TestConnectionPoolFromRateLimit(t *testing.T) {
	_, objs := renderShop(t, Options{})
	for _, tc := range []struct {
		env, service string
		want         int32
	}{
		// local: (1000 rps × 6 replicas) × 1s + 50 burst × 6.
		{"prod", "orders", 6300},
		// redis: one global bucket, 300 rps × 0.9s + burst 300.
		{"prod", "payments", 570},
		// dev: one replica of inventory, 800 × 0.25s + 200.
		{"dev", "inventory", 400},
	} {
		dr := find[*networkingv1.DestinationRule](t, objs, tc.env, "DestinationRule", tc.service)
		if got := dr.Spec.TrafficPolicy.ConnectionPool.GetHttp().GetHttp2MaxRequests(); got != tc.want {
			t.Errorf("%s/%s: http2MaxRequests = %d, want %d", tc.service, tc.env, got, tc.want)
		}
	}
	if dr := find[*networkingv1.DestinationRule](t, objs, "prod", "DestinationRule", "users"); dr.Spec.TrafficPolicy.ConnectionPool != nil {
		t.Errorf("users (no rate limit) has a connection pool %v", dr.Spec.TrafficPolicy.ConnectionPool)
	}
}

// darkLaunchObjects renders a staging rollout: the canary runs next to
// stable and receives the mirrored copy of the traffic only.
func darkLaunchObjects(t *testing.T) []render.Object {
	const svc = `services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v2", env: staging: traffic: stableVersion: "v1"}`
	return renderSpec(t, "staging", Options{}, svc)
}

func TestMirrorCopiesTrafficToTheCanaryInADarkLaunch(t *testing.T) {
	objs := darkLaunchObjects(t)
	if got := subsets(find[*networkingv1.DestinationRule](t, objs, "staging", "DestinationRule", "a")); !reflect.DeepEqual(got, map[string]string{"stable": "v1", "canary": "v2"}) {
		t.Errorf("subsets = %v", got)
	}
	vs := find[*networkingv1.VirtualService](t, objs, "staging", "VirtualService", "a")
	def := route(t, vs, "default-reads-http")
	if got := weights(def); !slices.Equal(got, []string{"stable"}) {
		t.Errorf("default route = %v, want all traffic to stable (staging has no canary steps)", got)
	}
	if def.Mirror.GetSubset() != SubsetCanary || def.MirrorPercentage.GetValue() != 10 {
		t.Errorf("mirror = %v %v, want 10 %% to canary", def.Mirror, def.MirrorPercentage)
	}
	for _, name := range []string{"canary-http", "env-http", "default-http", "default-grpc"} {
		if r := route(t, vs, name); r.Mirror != nil {
			t.Errorf("route %s is mirrored (coloured, or not an idempotent method)", name)
		}
	}
}

func TestNoMirrorWithoutTheSubsetToMirrorTo(t *testing.T) {
	_, objs := renderShop(t, Options{})
	// staging mirrors to the canary subset, but no canary runs there.
	vs := find[*networkingv1.VirtualService](t, objs, "staging", "VirtualService", "orders")
	for _, r := range vs.Spec.Http {
		if r.Mirror != nil {
			t.Errorf("route %s mirrors to %v, which has no pods", r.Name, r.Mirror)
		}
	}
	const svc = `services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v2"}
environments: staging: mirror: subset: "stable"`
	staging := renderSpec(t, "staging", Options{}, svc)
	def := route(t, find[*networkingv1.VirtualService](t, staging, "staging", "VirtualService", "a"), "default-reads-http")
	if def.Mirror.GetSubset() != SubsetStable {
		t.Errorf("mirror = %v, want the stable subset", def.Mirror)
	}
	const optOut = `services: a: {owner: "team-a", image: "ghcr.io/x/a", version: "v2", traffic: mirror: false}
environments: staging: mirror: subset: "stable"`
	staging = renderSpec(t, "staging", Options{}, optOut)
	if def := route(t, find[*networkingv1.VirtualService](t, staging, "staging", "VirtualService", "a"), "default-http"); def.Mirror != nil {
		t.Errorf("service with traffic.mirror false is mirrored")
	}
}

func TestSidecarLimitsEgressToDependencies(t *testing.T) {
	_, objs := renderShop(t, Options{})
	sc := find[*networkingv1.Sidecar](t, objs, "staging", "Sidecar", "payments")
	// Its dependencies (the external stripe by its ServiceEntry's host),
	// then the config centre and collector examples/shop names
	// (nacos.shop:8848, otel-collector:4317) as the pod's DNS resolves
	// them; its registry is Kubernetes, which has no address.
	infra := []string{"shop/nacos.shop.svc.cluster.local", "./otel-collector.shop-staging.svc.cluster.local", "istio-system/*"}
	deps := []string{"./payments-cache.shop-staging.svc.cluster.local", "./api.stripe.com", "./users.shop-staging.svc.cluster.local"}
	if got, want := sc.Spec.Egress[0].Hosts, append(deps, infra...); !slices.Equal(got, want) {
		t.Errorf("egress = %v, want %v", got, want)
	}
	if got := sc.Spec.WorkloadSelector.GetLabels(); !reflect.DeepEqual(got, map[string]string{"app": "payments"}) {
		t.Errorf("selector = %v", got)
	}
	sc = find[*networkingv1.Sidecar](t, objs, "staging", "Sidecar", "users")
	if got := sc.Spec.Egress[0].Hosts; !slices.Equal(got, infra) {
		t.Errorf("users (no dependencies) egress = %v", got)
	}
}

func TestPeerAuthenticationModeFollowsEnvironment(t *testing.T) {
	_, objs := renderShop(t, Options{})
	for env, want := range map[string]security.PeerAuthentication_MutualTLS_Mode{
		"dev":     security.PeerAuthentication_MutualTLS_PERMISSIVE,
		"staging": security.PeerAuthentication_MutualTLS_STRICT,
		"prod":    security.PeerAuthentication_MutualTLS_STRICT,
	} {
		pa := find[*securityv1.PeerAuthentication](t, objs, env, "PeerAuthentication", "default")
		if pa.Spec.Mtls.GetMode() != want || pa.Spec.Selector != nil {
			t.Errorf("%s: mode %v selector %v, want namespace-wide %v", env, pa.Spec.Mtls.GetMode(), pa.Spec.Selector, want)
		}
	}
}

func TestTelemetrySamplesThePlatformsRatio(t *testing.T) {
	_, objs := renderShop(t, Options{})
	tm := find[*telemetryv1.Telemetry](t, objs, "prod", "Telemetry", "default")
	if got := tm.Spec.Tracing[0].RandomSamplingPercentage.GetValue(); got != 10 {
		t.Errorf("sampling = %v %%, want 10 (0.1 × 100)", got)
	}
	objs = renderSpec(t, "dev", Options{}, `services: a: {owner: "t", image: "ghcr.io/x/a", version: "v1"}`)
	tm = find[*telemetryv1.Telemetry](t, objs, "dev", "Telemetry", "default")
	if got := tm.Spec.Tracing[0].RandomSamplingPercentage.GetValue(); got != 7 {
		t.Errorf("sampling = %v %%, want exactly 7 (0.07 × 100)", got)
	}
}

func TestObjectsArePlacedAndIdentified(t *testing.T) {
	m, objs := renderShop(t, Options{})
	seen := map[render.Identity]bool{}
	for _, o := range objs {
		if seen[o.ID] {
			t.Errorf("duplicate identity %v", o.ID)
		}
		seen[o.ID] = true
		if o.Target != render.TargetIstio || o.ID.Namespace != "shop-"+o.Env {
			t.Errorf("%v: target %s env %s", o.ID, o.Target, o.Env)
		}
		switch o.ID.Kind {
		case "PeerAuthentication", "Telemetry":
			if o.Path != o.Env+"/istio/namespace.yaml" || o.Service != "" || o.Source != m.Environments[o.Env].Pos.File {
				t.Errorf("%v: path %s service %q source %s", o.ID, o.Path, o.Service, o.Source)
			}
		case "ServiceEntry":
			if o.Path != o.Env+"/istio/externals.yaml" || o.Service != "" || o.Source != m.Externals[o.ID.Name].Pos.File {
				t.Errorf("%v: path %s service %q source %s", o.ID, o.Path, o.Service, o.Source)
			}
		default:
			if o.Path != o.Env+"/istio/"+o.Service+".yaml" || o.Source != m.Services[o.Service].Pos.File {
				t.Errorf("%v: path %s service %q source %s", o.ID, o.Path, o.Service, o.Source)
			}
		}
	}
	var kinds []string
	for _, o := range objs {
		if o.Env == "prod" && o.Service == "orders" {
			kinds = append(kinds, o.ID.APIVersion+"/"+o.ID.Kind)
		}
	}
	want := []string{
		"networking.istio.io/v1/DestinationRule",
		"networking.istio.io/v1/VirtualService",
		"security.istio.io/v1/AuthorizationPolicy",
		"networking.istio.io/v1/Sidecar",
		"networking.istio.io/v1alpha3/EnvoyFilter",
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("orders' objects = %v, want %v", kinds, want)
	}
}

func TestEveryObjectCarriesTheGovctlLabels(t *testing.T) {
	m, objs := renderShop(t, Options{})
	resolved := map[string]*schema.Resolved{}
	for _, env := range m.EnvironmentNames() {
		r, err := m.Resolve(env)
		if err != nil {
			t.Fatal(err)
		}
		resolved[env] = r
	}
	for _, o := range objs {
		labels := o.Value.(render.APIObject).GetLabels()
		want := map[string]string{LabelEnv: o.Env, LabelManagedBy: "govctl"}
		if o.Service != "" {
			svc := resolved[o.Env].Services[o.Service]
			want[LabelApp] = svc.Name
			want[LabelService] = svc.Name
			want[LabelVersion] = svc.Version
			want[LabelOwner] = svc.Owner
		}
		if !reflect.DeepEqual(labels, want) {
			t.Errorf("%v: labels %v, want %v", o.ID, labels, want)
		}
	}
}

// specJSON returns the object's spec as encoding/json writes it, which is
// what the render package writes.
func specJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatal(err)
	}
	spec, _ := obj["spec"].(map[string]any)
	return spec
}

func TestValuesMarshalAsKubernetesJSON(t *testing.T) {
	_, objs := renderShop(t, Options{})
	dr := find[*networkingv1.DestinationRule](t, objs, "prod", "DestinationRule", "orders")
	b, err := json.Marshal(dr)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatal(err)
	}
	if obj["apiVersion"] != "networking.istio.io/v1" || obj["kind"] != "DestinationRule" {
		t.Errorf("type meta = %v %v", obj["apiVersion"], obj["kind"])
	}
	// The proto spec marshals with its JSON names, enums as names and
	// durations as strings, as Kubernetes stores Istio objects.
	tp := obj["spec"].(map[string]any)["trafficPolicy"].(map[string]any)
	od := tp["outlierDetection"].(map[string]any)
	if od["consecutive5xxErrors"] != 5.0 || od["baseEjectionTime"] != "5s" {
		t.Errorf("outlierDetection = %v", od)
	}
	if tp["tls"].(map[string]any)["mode"] != "ISTIO_MUTUAL" {
		t.Errorf("tls = %v", tp["tls"])
	}
}

func TestInfraHostReadsAddressesAsPodDNSDoes(t *testing.T) {
	e := &envRender{ns: "shop-prod"}
	for addr, want := range map[string]string{
		"otel-collector:4317":                   "./otel-collector.shop-prod.svc.cluster.local",
		"consul.service:8500":                   "service/consul.service.svc.cluster.local",
		"nacos.infra.svc:8848":                  "infra/nacos.infra.svc.cluster.local",
		"jaeger.tracing.svc.cluster.local:4317": "tracing/jaeger.tracing.svc.cluster.local",
		"collector.example.com:443":             "*/collector.example.com",
		"10.0.0.7:8500":                         "",
		"":                                      "",
	} {
		if got := e.infraHost(addr); got != want {
			t.Errorf("infraHost(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestExternalIsAServiceEntryInItsCallersEgress(t *testing.T) {
	_, objs := renderShop(t, Options{})
	se := find[*networkingv1.ServiceEntry](t, objs, "prod", "ServiceEntry", "stripe")
	if !slices.Equal(se.Spec.Hosts, []string{"api.stripe.com"}) || se.Spec.Location != networking.ServiceEntry_MESH_EXTERNAL ||
		se.Spec.Resolution != networking.ServiceEntry_DNS || !slices.Equal(se.Spec.ExportTo, []string{"."}) {
		t.Errorf("service entry = %v", &se.Spec)
	}
	if p := se.Spec.Ports[0]; p.Number != 443 || p.Protocol != "TLS" {
		t.Errorf("port = %v, want 443 TLS (the application originates HTTPS)", p)
	}
	sc := find[*networkingv1.Sidecar](t, objs, "prod", "Sidecar", "payments")
	if !slices.Contains(sc.Spec.Egress[0].Hosts, "./api.stripe.com") {
		t.Errorf("payments' egress %v lacks stripe", sc.Spec.Egress[0].Hosts)
	}
	if has(objs, "prod", "AuthorizationPolicy", "stripe") || has(objs, "prod", "VirtualService", "stripe") {
		t.Errorf("an external got mesh policy of its own")
	}
}

func TestBackingServiceGetsTCPPolicyAndNoRoutes(t *testing.T) {
	_, objs := renderShop(t, Options{})
	for _, kind := range []string{"VirtualService", "Sidecar", "EnvoyFilter"} {
		if has(objs, "prod", kind, "orders-db") {
			t.Errorf("orders-db (a database) has a %s", kind)
		}
	}
	dr := find[*networkingv1.DestinationRule](t, objs, "prod", "DestinationRule", "orders-db")
	if got := dr.Spec.TrafficPolicy.ConnectionPool.GetTcp().GetMaxConnections(); got != 100 {
		t.Errorf("orders-db maxConnections = %d, want the spec's 100", got)
	}
	ap := find[*securityv1.AuthorizationPolicy](t, objs, "prod", "AuthorizationPolicy", "orders-db")
	if len(ap.Spec.Rules) != 1 || !slices.Equal(ap.Spec.Rules[0].From[0].Source.Principals, []string{"cluster.local/ns/shop-prod/sa/orders"}) || ap.Spec.Rules[0].To != nil {
		t.Errorf("orders-db rules = %v, want orders' principal and no HTTP paths", ap.Spec.Rules)
	}
}

func TestDestinationRuleTLSFollowsTheEnvironmentsMTLS(t *testing.T) {
	_, objs := renderShop(t, Options{})
	// dev is PERMISSIVE: auto mTLS; staging and prod STRICT.
	if tls := find[*networkingv1.DestinationRule](t, objs, "dev", "DestinationRule", "orders").Spec.TrafficPolicy.Tls; tls != nil {
		t.Errorf("dev tls = %v, want none (auto mTLS)", tls)
	}
	if tls := find[*networkingv1.DestinationRule](t, objs, "prod", "DestinationRule", "orders").Spec.TrafficPolicy.Tls; tls.GetMode() != networking.ClientTLSSettings_ISTIO_MUTUAL {
		t.Errorf("prod tls = %v, want ISTIO_MUTUAL", tls)
	}
}

func TestGRPCRateLimitAnswersResourceExhaustedAndTheFilterHasAPriority(t *testing.T) {
	_, objs := renderShop(t, Options{})
	ef := find[*networkingv1alpha3.EnvoyFilter](t, objs, "prod", "EnvoyFilter", "orders-local-ratelimit")
	if ef.Spec.Priority <= 0 {
		t.Errorf("priority = %d, want above the default 0 (IST0151)", ef.Spec.Priority)
	}
	tc := ef.Spec.ConfigPatches[0].Patch.Value.AsMap()["typed_config"].(map[string]any)
	if tc["rate_limited_as_resource_exhausted"] != true {
		t.Errorf("typed_config = %v, want rate_limited_as_resource_exhausted", tc)
	}
}

func TestTelemetryNamesTheTracingProvider(t *testing.T) {
	_, objs := renderShop(t, Options{})
	tel := find[*telemetryv1.Telemetry](t, objs, "prod", "Telemetry", "default")
	if p := tel.Spec.Tracing[0].Providers; len(p) != 1 || p[0].Name != "otel" {
		t.Errorf("providers = %v, want otel", p)
	}
}

// TestNeverRetryRendersAPolicyIstioAccepts: retries {attempts: 0} is how a
// spec says "never retry" (a charge): it renders a retry policy of attempts
// 0 alone, which Istio reads as retries disabled and accepts, where
// attempts 0 with perTryTimeout or retryOn set is rejected ("http retry
// policy configured when attempts are set to 0 (disabled)").
func TestNeverRetryRendersAPolicyIstioAccepts(t *testing.T) {
	for _, retries := range []string{`{attempts: 0}`, `{attempts: 0, perTryTimeout: "2s"}`, `{attempts: 0, perTryTimeout: "1ns", retryOn: "5xx"}`} {
		t.Run(retries, func(t *testing.T) {
			objs := renderSpec(t, "prod", Options{}, `
services: orders: {owner: "t", image: "ghcr.io/x/orders", version: "v1", dependencies: payments: {timeout: "2s", retries: `+retries+`}}
services: payments: {owner: "t", image: "ghcr.io/x/payments", version: "v1"}
`)
			vs := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "payments")
			n := 0
			for _, r := range vs.Spec.Http {
				if !strings.Contains(r.Name, "-from-orders") {
					if r.Retries != nil {
						t.Errorf("route %s: retries %v, want none (the mesh default) for callers that declare none", r.Name, r.Retries)
					}
					continue
				}
				n++
				if r.Retries == nil || r.Retries.Attempts != 0 || r.Retries.PerTryTimeout != nil || r.Retries.RetryOn != "" {
					t.Errorf("route %s: retries %v, want attempts 0 alone", r.Name, r.Retries)
				}
			}
			if n == 0 {
				t.Fatal("no route for calls from orders")
			}
			expectIstioAccepts(t, objs)
		})
	}
}

// TestInternationalisedHostRendersInASCII: a host such as
// söcken.example.com is rendered in its IDNA (punycode) form, which DNS,
// Istio and Kubernetes take; a name that is no host at all is an error at
// the field.
func TestInternationalisedHostRendersInASCII(t *testing.T) {
	objs := renderSpec(t, "prod", Options{}, `
services: shop: {owner: "t", image: "ghcr.io/x/shop", version: "v1", exposure: {public: true, hosts: ["söcken.example.com", "*.Katalög.example.com"]}}
`)
	vs := find[*networkingv1.VirtualService](t, objs, "prod", "VirtualService", "shop-public")
	want := []string{"xn--scken-jua.example.com", "*.xn--katalg-0xa.example.com"}
	if !slices.Equal(vs.Spec.Hosts, want) {
		t.Errorf("public VirtualService hosts = %q, want %q", vs.Spec.Hosts, want)
	}
	gw := find[*networkingv1.Gateway](t, objs, "prod", "Gateway", "shop-public")
	for _, srv := range gw.Spec.Servers {
		if !slices.Equal(srv.Hosts, want) {
			t.Errorf("Gateway server %s hosts = %q, want %q", srv.Port.Name, srv.Hosts, want)
		}
	}
	expectIstioAccepts(t, objs)

	for _, h := range []string{"a..example.com", "-a.example.com", "xn--zz.example.com", "shop.example.com."} {
		m := loadSpec(t, map[string]string{"platform.cue": platformCUE, "services.cue": "package platform\n\nservices: shop: {owner: \"t\", image: \"ghcr.io/x/shop\", version: \"v1\"\n\texposure: {public: true, hosts: [\"" + h + "\"]}}\n"})
		_, err := Renderer{}.Render(context.Background(), m, []string{"prod"})
		var re *diag.Diagnostic
		if !errors.As(err, &re) || re.Path.String() != "services.shop.exposure.hosts[0]" || re.Pos.Line != 4 {
			t.Errorf("host %q: err = %v, want a diagnostic at services.shop.exposure.hosts[0] on line 4", h, err)
		}
	}
}

// TestRetryOnIstioRejectsIsAnError: Istio's validation rejects a retryOn
// item that is neither a condition it knows nor an HTTP status code; that
// is an error at the caller's retryOn, and what Istio accepts renders.
func TestRetryOnIstioRejectsIsAnError(t *testing.T) {
	spec := func(retryOn string) map[string]string {
		return map[string]string{"platform.cue": platformCUE, "services.cue": "package platform\n\n" +
			"services: payments: {owner: \"t\", image: \"ghcr.io/x/payments\", version: \"v1\"}\n" +
			"services: orders: {owner: \"t\", image: \"ghcr.io/x/orders\", version: \"v1\"\n" +
			"\tdependencies: payments: {timeout: \"2s\", retries: {attempts: 2, perTryTimeout: \"500ms\", retryOn: \"" + retryOn + "\"}}}\n"}
	}
	for _, bad := range []string{"5xx,timeout", "5xx,,reset", "599", "connect_failure"} {
		m := loadSpec(t, spec(bad))
		_, err := Renderer{}.Render(context.Background(), m, []string{"prod"})
		var re *diag.Diagnostic
		if !errors.As(err, &re) || re.Path.String() != "services.orders.dependencies.payments.retries.retryOn" || re.Pos.Line != 5 {
			t.Errorf("retryOn %q: err = %v, want a diagnostic at services.orders.dependencies.payments.retries.retryOn on line 5", bad, err)
		}
	}
	m := loadSpec(t, spec("gateway-error,503,cancelled,reset-before-request"))
	objs, err := Renderer{}.Render(context.Background(), m, []string{"prod"})
	if err != nil {
		t.Fatal(err)
	}
	expectIstioAccepts(t, objs)
}
