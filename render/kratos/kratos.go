// Package kratos renders the Kratos target: one bootstrap config.yaml per
// service and environment, which a Kratos v2 service loads with
// config.New(config.WithSource(file.NewSource(path))) and Scans into
// conf.Bootstrap.
package kratos

import (
	"context"
	"fmt"
	"net"
	"path"
	"strconv"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/kratos/conf"
	"github.com/govctl/govctl/schema"
)

// Kind is the Identity kind of a rendered bootstrap file.
const Kind = "KratosBootstrap"

// listenHost is the address the servers bind: every interface of the pod.
const listenHost = "0.0.0.0"

// Renderer renders Kratos bootstrap files.
type Renderer struct{}

var _ render.Renderer = Renderer{}

// Target returns render.TargetKratos.
func (Renderer) Target() render.Target { return render.TargetKratos }

// Render returns one KratosBootstrap object per environment and service, in
// the order of envs and then by service name, at
// <env>/kratos/<service>/config.yaml. Each object's Value is a
// conf.Bootstrap.
func (Renderer) Render(ctx context.Context, m *schema.Model, envs []string) ([]render.Object, error) {
	var objs []render.Object
	errs := &diag.List{Dir: m.Dir}
	for _, env := range envs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := m.Resolve(env)
		if err != nil {
			return nil, fmt.Errorf("render kratos for %s: %w", env, err)
		}
		for _, name := range r.ServiceNames() {
			svc := r.Services[name]
			if !svc.IsApp() {
				// A database, broker or cache runs no Kratos.
				continue
			}
			if d := checkService(svc); d != nil {
				d.Environments = []string{env}
				errs.Add(d)
				continue
			}
			objs = append(objs, render.Object{
				Target:  render.TargetKratos,
				Env:     env,
				Service: name,
				Path:    Path(env, name),
				ID:      render.Identity{Kind: Kind, Namespace: r.Environment.Namespace, Name: name},
				Source:  svc.Source,
				Value:   Bootstrap(r, svc),
			})
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return objs, nil
}

// Path is where the bootstrap of a service in an environment is written,
// relative to the output directory.
func Path(env, service string) string {
	return path.Join(env, "kratos", service, "config.yaml")
}

// checkService rejects what the spec allows but a Kratos service cannot
// run with.
func checkService(svc *schema.Service) *diag.Diagnostic {
	if svc.Ports.HTTP == svc.Ports.GRPC {
		return &diag.Diagnostic{
			Pos:     svc.PosOf(fieldpath.New("ports")),
			Path:    fieldpath.New("services", svc.Name, "ports"),
			Message: fmt.Sprintf("http and grpc use the same port %d: the Kratos HTTP and gRPC servers each need their own listener", svc.Ports.HTTP),
		}
	}
	return nil
}

// Bootstrap builds the bootstrap of svc as resolved in r.
func Bootstrap(r *schema.Resolved, svc *schema.Service) conf.Bootstrap {
	p := r.Platform
	bc := conf.Bootstrap{
		Service: conf.Service{Name: svc.Name, Version: svc.Version, Env: r.Environment.Name, Namespace: r.Environment.Namespace},
		Server: conf.Server{
			HTTP: transport(svc.Ports.HTTP, svc.Timeout),
			GRPC: transport(svc.Ports.GRPC, svc.Timeout),
		},
		Registry: conf.Registry{
			Kind:      p.Registry.Kind,
			Address:   p.Registry.Address,
			Heartbeat: duration(p.Registry.Heartbeat),
			TTL:       duration(p.Registry.TTL),
			HealthCheck: conf.HealthCheck{
				Path:            p.Registry.HealthCheck.Path,
				Interval:        duration(p.Registry.HealthCheck.Interval),
				Timeout:         duration(p.Registry.HealthCheck.Timeout),
				DeregisterAfter: duration(p.Registry.HealthCheck.DeregisterAfter),
			},
		},
		Trace: conf.Trace{
			Endpoint: p.Telemetry.Tracing.Endpoint,
			Protocol: p.Telemetry.Tracing.Protocol,
			Sampler:  p.Telemetry.Tracing.Sampling,
		},
		Metrics:      conf.Metrics{Enabled: p.Telemetry.Metrics.Enabled, Path: p.Telemetry.Metrics.Path},
		Middleware:   append([]string{}, svc.Middleware...),
		Clients:      clients(r, svc),
		Degradation:  degradation(svc.Resilience.Degradation, svc.Resilience.CircuitBreaker),
		RateLimit:    rateLimit(r, svc.Resilience.RateLimit),
		ConfigCenter: configCenter(p, r.Environment, svc),
	}
	return bc
}

func transport(port int, timeout schema.Duration) conf.Transport {
	return conf.Transport{
		Network: "tcp",
		Addr:    net.JoinHostPort(listenHost, strconv.Itoa(port)),
		Timeout: duration(timeout),
	}
}

func duration(d schema.Duration) conf.Duration { return conf.Duration(d.D()) }

// DiscoveryEndpoint is the Kratos client target of a service, resolved
// through the registry by Kratos' discovery resolver.
func DiscoveryEndpoint(service string) string {
	return "discovery:///" + service
}

// clusterDomain is the Kubernetes DNS domain of Services.
const clusterDomain = "svc.cluster.local"

// MeshEndpoint is the gRPC target of a service inside the mesh: its
// cluster DNS name and gRPC port. A call to it goes through the caller's
// sidecar, which matches the name to the service's VirtualService and
// DestinationRule (routes, retries, outlier detection, mTLS). A registry
// target (discovery:///) would dial a pod IP instead, which the sidecar
// passes through untouched: no routes, no mTLS, refused under STRICT.
func MeshEndpoint(ns string, svc *schema.Service) string {
	return "dns:///" + svc.Name + "." + ns + "." + clusterDomain + ":" + strconv.Itoa(svc.Ports.GRPC)
}

// MeshHTTPEndpoint is the HTTP base URL of a service inside the mesh.
func MeshHTTPEndpoint(ns string, svc *schema.Service) string {
	return "http://" + svc.Name + "." + ns + "." + clusterDomain + ":" + strconv.Itoa(svc.Ports.HTTP)
}

// clients has one client per application the service calls: each
// dependency, and its degradation fallback (dialled like a dependency,
// with the fallback timeout). A backing service (database, broker, cache)
// or an external gets no client: it speaks no Kratos transport, and the
// application finds it through its own config.
//
// Retries are the client's only when the platform gives them to the
// application (mesh.retryOwner "app"); by default the caller's sidecar
// retries and the client must not retry again. The breaker is the
// dependency's own: a service's circuitBreaker describes how its callers
// break on it, the same settings the mesh applies to every caller through
// the dependency's DestinationRule.
func clients(r *schema.Resolved, svc *schema.Service) map[string]conf.Client {
	out := map[string]conf.Client{}
	ns := r.Environment.Namespace
	add := func(name string, dep schema.Dependency) {
		callee, ok := r.Services[name]
		if ok && !callee.IsApp() || r.External(name) != nil {
			// A backing service or an external: no Kratos transport.
			return
		}
		c := conf.Client{
			Endpoint: DiscoveryEndpoint(name),
			Timeout:  duration(dep.Timeout),
			Optional: dep.Optional,
		}
		if ok {
			c.Endpoint, c.HTTPEndpoint = MeshEndpoint(ns, callee), MeshHTTPEndpoint(ns, callee)
		}
		if dep.Retries != nil && r.Platform.AppRetries() {
			c.Retries = &conf.Retries{Attempts: dep.Retries.Attempts, PerTryTimeout: duration(dep.Retries.PerTryTimeout), RetryOn: dep.Retries.RetryOn}
		}
		if ok && callee.Resilience.CircuitBreaker != nil {
			cb := callee.Resilience.CircuitBreaker
			c.CircuitBreaker = &conf.CircuitBreaker{
				MinRequests:    cb.MinRequests,
				Interval:       duration(cb.Interval),
				Timeout:        duration(cb.Timeout),
				ErrorThreshold: cb.ErrorThreshold,
			}
		}
		out[name] = c
	}
	for name, dep := range svc.Dependencies {
		add(name, dep)
	}
	if d := svc.Resilience.Degradation; d != nil && d.FallbackTo != "" {
		if _, declared := svc.Dependencies[d.FallbackTo]; !declared {
			// Not optional: the fallback is what answers while the
			// service is degraded, and an optional dependency is exactly
			// what a degraded service stops calling.
			add(d.FallbackTo, schema.Dependency{Timeout: d.FallbackTimeout})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// degradation is the service's ladder. Its error rate is measured over the
// service's own breaker window (interval and min_requests), so a service
// that declares a breaker gets the same window for both; without one the
// window is left to kit's default.
func degradation(d *schema.Degradation, cb *schema.CircuitBreaker) *conf.Degradation {
	if d == nil {
		return nil
	}
	out := &conf.Degradation{
		WarnAt:          d.WarnAt,
		DegradeAt:       d.DegradeAt,
		FallbackTo:      d.FallbackTo,
		FallbackTimeout: duration(d.FallbackTimeout),
	}
	if cb != nil {
		out.Interval = duration(cb.Interval)
		out.MinRequests = cb.MinRequests
	}
	if d.FatalAt != nil {
		v := *d.FatalAt
		out.FatalAt = &v
	}
	return out
}

// rateLimit is the service's limit; a shared (redis) bucket names the
// Redis server: resilience.rateLimit.redis as host:port, or the cache
// service it names, at its cluster DNS name and port.
func rateLimit(r *schema.Resolved, l *schema.RateLimit) *conf.RateLimit {
	if l == nil {
		return nil
	}
	out := &conf.RateLimit{Algorithm: l.Algorithm, Backend: l.Backend, RPS: l.RPS, Burst: l.Burst}
	if l.Backend == "redis" && l.Redis != "" {
		out.Redis = l.Redis
		if cache, ok := r.Services[l.Redis]; ok && !cache.IsApp() {
			out.Redis = cache.Name + "." + r.Environment.Namespace + "." + clusterDomain + ":" + strconv.Itoa(cache.Port)
		}
	}
	return out
}

// formatExtensions is the dataId extension of each config format, which is
// how Kratos' config sources pick a decoder for an entry.
// configCenter is the service's entry: in the environment's namespace, in
// config.group or else the platform's group.
func configCenter(p *schema.Platform, env *schema.Environment, svc *schema.Service) *conf.ConfigCenter {
	cc := p.ConfigCenter
	if cc.Kind == "" || cc.Kind == "none" {
		return nil
	}
	return &conf.ConfigCenter{
		Kind:        cc.Kind,
		Address:     cc.Address,
		Namespace:   env.Namespace,
		Group:       svc.ConfigGroup(p),
		DataID:      svc.ConfigDataID(),
		Format:      svc.Config.Format,
		LongPolling: duration(cc.LongPolling),
	}
}
