package istio

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
	networking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govctl/govctl/schema"
)

// meshGateway is Istio's reserved gateway name for the sidecars of the
// mesh.
const meshGateway = "mesh"

// virtualService renders how callers reach the service.
//
// Where the rules act: a VirtualService is applied by the sidecar of every
// caller of its host (and by the ingress gateway for public services), so
// its timeout and retries apply to all callers alike. The spec declares
// retries per caller (`dependencies.<service>.retries`), so each distinct
// policy gets its own routes, matched by the callers' workload labels
// (sourceLabels app=<caller>); callers declaring the same policy share
// routes, and callers declaring none fall through to routes without a
// retry policy, where Istio's mesh default applies. Merging the callers'
// policies into one (the strictest, say) would retry some callers' calls
// in ways they did not ask for, e.g. a caller that declares one attempt for
// a non-idempotent call.
//
// The timeout of every route is the service's own `timeout`, its server
// deadline: no caller is served after it, so no caller's sidecar should
// wait longer. A caller's shorter `dependencies.<service>.timeout` is its
// client deadline, enforced by the caller's own client (render/kratos) and
// propagated with the request.
//
// Routes, first match wins: for each caller group, then (public services)
// the ingress gateway's exposed paths, then everything else, the requests
// coloured for the canary (canaryHeader: "true", while a canary runs), then
// those coloured for this environment (envHeader: <env>, pinned to stable),
// then the rest, split between stable and canary by the canary weight and
// mirrored when the environment mirrors. Colouring is left out when the
// service disables it.
//
// Mesh routes name no destination port, so a call keeps the port it was
// made to (the service's HTTP or gRPC port); the ingress gateway's routes
// go to the HTTP port, which a gateway must name for a service with several
// ports.
func (e *envRender) virtualService(svc *schema.Service, p rollout) (*networkingv1.VirtualService, error) {
	timeout, err := e.duration(svc, "timeout", svc.Timeout)
	if err != nil {
		return nil, err
	}
	public := svc.Exposure.Public
	hosts := []string{e.host(svc.Name)}
	var gateways []string
	if public {
		for i, h := range svc.Exposure.Hosts {
			h, err := schema.ExposedHost(h)
			if err != nil {
				return nil, e.errorf(svc, fmt.Sprintf("exposure.hosts[%d]", i), "%s", err)
			}
			if !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
		gateways = []string{e.res.Platform.Mesh.Gateway.Name, meshGateway}
	}

	scopes, err := e.routeScopes(svc)
	if err != nil {
		return nil, err
	}
	var routes []*networking.HTTPRoute
	for _, s := range scopes {
		for _, c := range e.colours(svc, p) {
			r := &networking.HTTPRoute{
				Name:    c.name + s.suffix,
				Match:   s.matches(c.headers),
				Route:   e.destinations(svc, p, c.subsets, s.port),
				Timeout: timeout,
				Retries: s.retries,
			}
			if c.mirrored && p.mirror != nil {
				r.Mirror = &networking.Destination{Host: e.host(svc.Name), Subset: p.mirror.Subset}
				r.MirrorPercentage = &networking.Percent{Value: p.mirror.Percent}
			}
			routes = append(routes, r)
		}
	}
	return &networkingv1.VirtualService{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "VirtualService"},
		ObjectMeta: e.serviceMeta(svc, svc.Name),
		Spec: networking.VirtualService{
			Hosts:    hosts,
			Gateways: gateways,
			Http:     routes,
		},
	}, nil
}

// routeScope is a set of requests that share a retry policy: those of a
// group of callers, those from the ingress gateway, or all the rest.
type routeScope struct {
	// suffix is appended to the route names ("-from-a+b", "-ingress").
	suffix string
	// base are the scope's match conditions, ORed; nil matches every
	// request.
	base    func() []*networking.HTTPMatchRequest
	retries *networking.HTTPRetry
	// port is the destination port, 0 for the port the call was made to.
	port uint32
}

// matches returns the scope's match conditions with the colour's headers
// added to each; nil (match all) for the uncoloured rest.
func (s routeScope) matches(headers map[string]*networking.StringMatch) []*networking.HTTPMatchRequest {
	var ms []*networking.HTTPMatchRequest
	if s.base != nil {
		ms = s.base()
	}
	if headers == nil {
		return ms
	}
	if len(ms) == 0 {
		ms = []*networking.HTTPMatchRequest{{}}
	}
	for _, m := range ms {
		m.Headers = map[string]*networking.StringMatch{}
		for k, v := range headers {
			m.Headers[k] = proto.Clone(v).(*networking.StringMatch)
		}
	}
	return ms
}

// routeScopes returns the scopes in match order: caller groups (by their
// first caller's name), the ingress gateway, the rest.
func (e *envRender) routeScopes(svc *schema.Service) ([]routeScope, error) {
	public := svc.Exposure.Public
	var meshOnly []string
	if public {
		// Name the mesh explicitly: the VirtualService is also bound to the
		// ingress gateway, whose requests these routes are not for.
		meshOnly = []string{meshGateway}
	}
	type group struct {
		callers []string
		retries *networking.HTTPRetry
	}
	var groups []*group
	byPolicy := map[string]*group{}
	for _, c := range e.callers[svc.Name] {
		if c.retries == nil {
			continue
		}
		retries, err := e.retryPolicy(c, svc.Name)
		if err != nil {
			return nil, err
		}
		key := fmt.Sprintf("%d|%s|%s", retries.Attempts, retries.PerTryTimeout.AsDuration(), retries.RetryOn)
		g, ok := byPolicy[key]
		if !ok {
			g = &group{retries: retries}
			byPolicy[key] = g
			groups = append(groups, g)
		}
		g.callers = append(g.callers, c.name)
	}

	var scopes []routeScope
	for _, g := range groups {
		callers := g.callers
		scopes = append(scopes, routeScope{
			suffix: "-from-" + strings.Join(callers, "+"),
			base: func() []*networking.HTTPMatchRequest {
				ms := make([]*networking.HTTPMatchRequest, 0, len(callers))
				for _, c := range callers {
					ms = append(ms, &networking.HTTPMatchRequest{
						SourceLabels: map[string]string{LabelApp: c},
						Gateways:     slices.Clone(meshOnly),
					})
				}
				return ms
			},
			retries: g.retries,
		})
	}
	if public {
		gw := e.res.Platform.Mesh.Gateway.Name
		paths := svc.Exposure.Paths
		scopes = append(scopes, routeScope{
			suffix: "-ingress",
			base: func() []*networking.HTTPMatchRequest {
				ms := make([]*networking.HTTPMatchRequest, 0, len(paths))
				for _, p := range paths {
					ms = append(ms, &networking.HTTPMatchRequest{
						Uri:      &networking.StringMatch{MatchType: &networking.StringMatch_Prefix{Prefix: p}},
						Gateways: []string{gw},
					})
				}
				return ms
			},
			port: uint32(svc.Ports.HTTP),
		})
	}
	rest := routeScope{}
	if public {
		rest.base = func() []*networking.HTTPMatchRequest {
			return []*networking.HTTPMatchRequest{{Gateways: []string{meshGateway}}}
		}
	}
	return append(scopes, rest), nil
}

// retryPolicy converts the retries a caller declares for its calls to
// callee. Attempts 0 disables retries (Istio: "If 0, retries will be
// disabled"), which differs from declaring none (Istio's default policy).
func (e *envRender) retryPolicy(c caller, callee string) (*networking.HTTPRetry, error) {
	if c.retries.Attempts == 0 {
		// Istio rejects a policy with attempts 0 and anything else set
		// ("http retry policy configured when attempts are set to 0
		// (disabled)"): never retrying is attempts 0 alone.
		return &networking.HTTPRetry{}, nil
	}
	from := e.res.Services[c.name]
	if bad := unknownRetryOn(c.retries.RetryOn); bad != nil {
		return nil, e.errorf(from, "dependencies."+callee+".retries.retryOn",
			"retryOn %q: %s not a retry condition Istio knows; write a comma-separated list of %s, or HTTP status codes such as 503",
			c.retries.RetryOn, quoteList(bad), strings.Join(retryOnConditions, ", "))
	}
	field := "dependencies." + callee + ".retries.perTryTimeout"
	perTry, err := e.duration(from, field, c.retries.PerTryTimeout)
	if err != nil {
		return nil, err
	}
	return &networking.HTTPRetry{
		Attempts:      int32(c.retries.Attempts),
		PerTryTimeout: perTry,
		RetryOn:       c.retries.RetryOn,
	}, nil
}

// colour is one class of requests by their colouring headers.
type colour struct {
	name string
	// headers the requests carry; nil for the uncoloured rest.
	headers map[string]*networking.StringMatch
	// subsets the requests go to: one, or stable and canary to be split.
	subsets []string
	// mirrored reports that the class is copied to the mirror subset.
	mirrored bool
}

// colours returns the classes of requests in match order.
func (e *envRender) colours(svc *schema.Service, p rollout) []colour {
	var cs []colour
	if col := svc.Traffic.Colouring; col.Enabled {
		if p.canary != "" {
			cs = append(cs, colour{
				name:    "canary",
				headers: map[string]*networking.StringMatch{col.CanaryHeader: exact("true")},
				subsets: []string{SubsetCanary},
			})
		}
		cs = append(cs, colour{
			name:    "env",
			headers: map[string]*networking.StringMatch{col.EnvHeader: exact(e.env.Name)},
			subsets: []string{SubsetStable},
		})
	}
	rest := colour{name: "default", subsets: []string{SubsetStable}, mirrored: true}
	if p.weighted {
		rest.subsets = []string{SubsetStable, SubsetCanary}
	}
	return append(cs, rest)
}

// destinations returns the weighted destinations for subsets: one subset
// takes all traffic, stable and canary split it by the canary weight.
func (e *envRender) destinations(svc *schema.Service, p rollout, subsets []string, port uint32) []*networking.HTTPRouteDestination {
	dest := func(subset string) *networking.Destination {
		d := &networking.Destination{Host: e.host(svc.Name), Subset: subset}
		if port != 0 {
			d.Port = &networking.PortSelector{Number: port}
		}
		return d
	}
	if len(subsets) == 1 {
		return []*networking.HTTPRouteDestination{{Destination: dest(subsets[0])}}
	}
	return []*networking.HTTPRouteDestination{
		{Destination: dest(SubsetStable), Weight: int32(100 - p.canaryWeight)},
		{Destination: dest(SubsetCanary), Weight: int32(p.canaryWeight)},
	}
}

func exact(v string) *networking.StringMatch {
	return &networking.StringMatch{MatchType: &networking.StringMatch_Exact{Exact: v}}
}

// retryOnConditions are the retry conditions Istio's validation accepts in
// HTTPRetry.retryOn (istio.io/istio pkg/config/validation,
// supportedRetryOnPolicies: Envoy's x-envoy-retry-on and
// x-envoy-retry-grpc-on policies); an HTTP status code is accepted too.
var retryOnConditions = []string{
	"5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx",
	"refused-stream", "retriable-status-codes", "retriable-headers", "envoy-ratelimited",
	"http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
}

// unknownRetryOn returns the conditions of a retryOn list that Istio would
// reject, as its validation does: each comma-separated item must be a known
// condition or an HTTP status code.
func unknownRetryOn(retryOn string) []string {
	if retryOn == "" {
		return nil
	}
	var bad []string
	for _, c := range strings.Split(retryOn, ",") {
		if code, err := strconv.Atoi(c); err == nil && http.StatusText(code) != "" {
			continue
		}
		if !slices.Contains(retryOnConditions, c) {
			bad = append(bad, c)
		}
	}
	return bad
}

// quoteList formats items as `"a" is` or `"a", "b" are`.
func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	if len(q) == 1 {
		return q[0] + " is"
	}
	return strings.Join(q, ", ") + " are"
}
