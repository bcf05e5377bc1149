package istio

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	networking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govctl/govctl/schema"
)

// idempotentMethods matches the HTTP methods that are safe to mirror: a
// mirrored request is really served by the mirror subset, so a mirrored
// POST (a charge, an order) would happen twice.
const idempotentMethods = "^(GET|HEAD|OPTIONS)$"

// servicePort is one of the ports a service's Kubernetes Service exposes,
// named as render/kubernetes names it.
type servicePort struct {
	name   string
	number uint32
}

// ports returns the service's ports: http and grpc for an application, its
// protocol's port for a backing service.
func ports(svc *schema.Service) []servicePort {
	if !svc.IsApp() {
		return []servicePort{{svc.Protocol, uint32(svc.Port)}}
	}
	return []servicePort{{"http", uint32(svc.Ports.HTTP)}, {"grpc", uint32(svc.Ports.GRPC)}}
}

// virtualService renders how callers inside the mesh reach the service.
//
// Where the rules act: a VirtualService is applied by the sidecar of every
// caller of its host, so its timeout and retries would apply to all
// callers alike. The spec declares them per caller
// (`dependencies.<service>.timeout` and `.retries`), so each distinct
// policy gets its own routes, matched by the callers' workload labels
// (sourceLabels app=<caller>); callers declaring the same policy share
// routes, and callers declaring none fall through to the routes of the
// rest.
//
// Timeouts: the route timeout of a caller's routes is the caller's
// dependency timeout (its fallback timeout for a fallback call): the
// deadline within which its declared retries must complete. The rest get
// the service's own `timeout`, its server deadline.
//
// Retries belong to one layer (platform.mesh.retryOwner). When the mesh
// owns them, a caller's routes carry its declared retries and the Kratos
// clients retry nothing; when the application owns them, every route says
// attempts: 0, which turns off the sidecar's retries (Istio's default
// policy included), and the Kratos client retries as declared.
//
// Ports: the Service exposes several ports (http and grpc), so every route
// matches the port the call was made to and names it as its destination
// port: Istio requires a destination port for a multi-port service
// (IST0112), and a route without a port match would send gRPC calls to the
// HTTP port.
//
// Routes, first match wins: for each caller group then the rest, per port,
// the requests coloured for the canary (canaryHeader: "true", while a
// canary runs), then those coloured for this environment (envHeader:
// <env>, pinned to stable), then the rest, split between stable and canary
// by the canary weight and mirrored when the environment mirrors (see
// mirrorRoutes). Colouring is left out when the service disables it.
//
// Requests from the internet come through the public VirtualService
// (publicVirtualService), not through these routes.
func (e *envRender) virtualService(svc *schema.Service, p rollout) (*networkingv1.VirtualService, error) {
	scopes, err := e.routeScopes(svc)
	if err != nil {
		return nil, err
	}
	var routes []*networking.HTTPRoute
	for _, s := range scopes {
		for _, port := range ports(svc) {
			for _, c := range e.colours(svc, p) {
				routes = append(routes, e.coloured(svc, p, s, port, c)...)
			}
		}
	}
	return &networkingv1.VirtualService{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "VirtualService"},
		ObjectMeta: e.serviceMeta(svc, svc.Name),
		Spec: networking.VirtualService{
			Hosts: []string{e.host(svc.Name)},
			Http:  routes,
		},
	}, nil
}

// coloured returns the routes of one colour of one scope on one port: one
// route, or two where only idempotent methods are mirrored.
func (e *envRender) coloured(svc *schema.Service, p rollout, s routeScope, port servicePort, c colour) []*networking.HTTPRoute {
	name := c.name + s.suffix + "-" + port.name
	r := &networking.HTTPRoute{
		Name:    name,
		Match:   s.matches(c.headers, port.number, ""),
		Route:   e.destinations(svc, p, c.subsets, port.number),
		Timeout: s.timeout,
		Retries: s.retries,
	}
	return e.mirrorRoutes(svc, p, r, c.mirrored, port.name == "http", func(method string) []*networking.HTTPMatchRequest {
		return s.matches(c.headers, port.number, method)
	})
}

// mirrorRoutes adds the mirror to a mirrored route. With the environment's
// mirror.methods "idempotent" (the default), only HTTP GET, HEAD and
// OPTIONS are copied: the route is preceded by a copy of itself that
// matches those methods and mirrors, and the route itself does not
// mirror; gRPC calls, whose methods all travel as POST, are not mirrored.
// With "all", the route mirrors every request.
func (e *envRender) mirrorRoutes(svc *schema.Service, p rollout, r *networking.HTTPRoute, mirrored, http bool, match func(method string) []*networking.HTTPMatchRequest) []*networking.HTTPRoute {
	if !mirrored || p.mirror == nil {
		return []*networking.HTTPRoute{r}
	}
	mirror := func(route *networking.HTTPRoute) {
		route.Mirror = &networking.Destination{Host: e.host(svc.Name), Subset: p.mirror.Subset}
		route.MirrorPercentage = &networking.Percent{Value: p.mirror.Percent}
	}
	if p.mirror.Methods == schema.MirrorAll {
		mirror(r)
		return []*networking.HTTPRoute{r}
	}
	if !http {
		return []*networking.HTTPRoute{r}
	}
	reads := proto.Clone(r).(*networking.HTTPRoute)
	reads.Name = strings.Replace(r.Name, "default", "default-reads", 1)
	reads.Match = match(idempotentMethods)
	mirror(reads)
	return []*networking.HTTPRoute{reads, r}
}

// exposedHosts returns the service's exposed hosts as the public
// VirtualService and its Gateway name them (schema.ExposedHost: IDNA
// names in ASCII), without duplicates, or the diagnostic of the first host
// that cannot be one.
func (e *envRender) exposedHosts(svc *schema.Service) ([]string, error) {
	var hosts []string
	for i, h := range svc.Exposure.Hosts {
		h, err := schema.ExposedHost(h)
		if err != nil {
			return nil, e.errorf(svc, fmt.Sprintf("exposure.hosts[%d]", i), "%s", err)
		}
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts, nil
}

// publicVirtualService renders the routes of a public service's hosts at
// the ingress gateway: the exposed path prefixes go to the service's HTTP
// port, split between stable and canary like the rest of its traffic and
// mirrored likewise. The colouring headers are removed from every request
// that enters here: they steer requests into the canary or an
// environment's pinned subset, which a client on the internet must not
// choose; inside the mesh the services propagate them (kit's middleware).
func (e *envRender) publicVirtualService(svc *schema.Service, p rollout) (*networkingv1.VirtualService, error) {
	timeout, err := e.duration(svc, "timeout", svc.Timeout)
	if err != nil {
		return nil, err
	}
	hosts, err := e.exposedHosts(svc)
	if err != nil {
		return nil, err
	}
	port := uint32(svc.Ports.HTTP)
	match := func(method string) []*networking.HTTPMatchRequest {
		ms := make([]*networking.HTTPMatchRequest, 0, len(svc.Exposure.Paths))
		for _, path := range svc.Exposure.Paths {
			m := &networking.HTTPMatchRequest{Uri: &networking.StringMatch{MatchType: &networking.StringMatch_Prefix{Prefix: path}}}
			if method != "" {
				m.Method = &networking.StringMatch{MatchType: &networking.StringMatch_Regex{Regex: method}}
			}
			ms = append(ms, m)
		}
		return ms
	}
	var strip []string
	if col := svc.Traffic.Colouring; col.Enabled {
		strip = []string{col.EnvHeader, col.CanaryHeader}
	}
	subsets := []string{SubsetStable}
	if p.weighted {
		subsets = []string{SubsetStable, SubsetCanary}
	}
	r := &networking.HTTPRoute{
		Name:    "ingress-http",
		Match:   match(""),
		Route:   e.destinations(svc, p, subsets, port),
		Timeout: timeout,
	}
	if len(strip) > 0 {
		r.Headers = &networking.Headers{Request: &networking.Headers_HeaderOperations{Remove: strip}}
	}
	routes := e.mirrorRoutes(svc, p, r, true, true, match)
	if len(routes) == 2 {
		routes[0].Name = "ingress-reads-http"
	}
	return &networkingv1.VirtualService{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "VirtualService"},
		ObjectMeta: e.serviceMeta(svc, publicName(svc)),
		Spec: networking.VirtualService{
			Hosts:    hosts,
			Gateways: []string{publicName(svc)},
			Http:     routes,
		},
	}, nil
}

// publicName is the name of a public service's Gateway and public
// VirtualService.
func publicName(svc *schema.Service) string { return svc.Name + "-public" }

// routeScope is a set of requests that share a timeout and a retry
// policy: those of a group of callers, or all the rest.
type routeScope struct {
	// suffix is appended to the route names ("-from-a+b").
	suffix string
	// callers are the workloads' app labels the scope matches; none
	// matches every request.
	callers []string
	timeout *durationpb.Duration
	retries *networking.HTTPRetry
}

// matches returns the scope's match conditions on port, with the colour's
// headers and, when method is not empty, a method regex added to each.
func (s routeScope) matches(headers map[string]*networking.StringMatch, port uint32, method string) []*networking.HTTPMatchRequest {
	base := func() *networking.HTTPMatchRequest {
		m := &networking.HTTPMatchRequest{Port: port}
		if len(headers) > 0 {
			m.Headers = map[string]*networking.StringMatch{}
			for k, v := range headers {
				m.Headers[k] = proto.Clone(v).(*networking.StringMatch)
			}
		}
		if method != "" {
			m.Method = &networking.StringMatch{MatchType: &networking.StringMatch_Regex{Regex: method}}
		}
		return m
	}
	if len(s.callers) == 0 {
		return []*networking.HTTPMatchRequest{base()}
	}
	ms := make([]*networking.HTTPMatchRequest, 0, len(s.callers))
	for _, c := range s.callers {
		m := base()
		m.SourceLabels = map[string]string{LabelApp: c}
		ms = append(ms, m)
	}
	return ms
}

// routeScopes returns the scopes in match order: caller groups (by their
// first caller's name), then the rest.
func (e *envRender) routeScopes(svc *schema.Service) ([]routeScope, error) {
	own, err := e.duration(svc, "timeout", svc.Timeout)
	if err != nil {
		return nil, err
	}
	appRetries := e.res.Platform.AppRetries()
	var disabled *networking.HTTPRetry
	if appRetries {
		disabled = &networking.HTTPRetry{Attempts: 0}
	}
	var groups []*routeScope
	byPolicy := map[string]*routeScope{}
	for _, c := range e.callers[svc.Name] {
		var retries *networking.HTTPRetry
		if c.retries != nil && !appRetries {
			if retries, err = e.retryPolicy(c, svc.Name); err != nil {
				return nil, err
			}
		}
		if retries == nil && c.timeout == "" {
			continue
		}
		timeout := own
		if c.timeout != "" {
			field := "dependencies." + svc.Name + ".timeout"
			if _, declared := e.res.Services[c.name].Dependencies[svc.Name]; !declared {
				field = "resilience.degradation.fallbackTimeout"
			}
			if timeout, err = e.duration(e.res.Services[c.name], field, c.timeout); err != nil {
				return nil, err
			}
		}
		if retries == nil {
			retries = disabled
		}
		key := timeout.AsDuration().String()
		if retries != nil {
			key += fmt.Sprintf("|%d|%s|%s", retries.Attempts, retries.PerTryTimeout.AsDuration(), retries.RetryOn)
		}
		g, ok := byPolicy[key]
		if !ok {
			g = &routeScope{timeout: timeout, retries: retries}
			byPolicy[key] = g
			groups = append(groups, g)
		}
		g.callers = append(g.callers, c.name)
	}
	scopes := make([]routeScope, 0, len(groups)+1)
	for _, g := range groups {
		g.suffix = "-from-" + strings.Join(g.callers, "+")
		scopes = append(scopes, *g)
	}
	return append(scopes, routeScope{timeout: own, retries: disabled}), nil
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
			"%q: %s not a retry condition Istio knows; write a comma-separated list of %s, or HTTP status codes such as 503",
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

// destinations returns the weighted destinations for subsets on port: one
// subset takes all traffic, stable and canary split it by the canary
// weight.
func (e *envRender) destinations(svc *schema.Service, p rollout, subsets []string, port uint32) []*networking.HTTPRouteDestination {
	dest := func(subset string) *networking.Destination {
		return &networking.Destination{Host: e.host(svc.Name), Subset: subset, Port: &networking.PortSelector{Number: port}}
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
