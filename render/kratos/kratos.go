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
		Service: conf.Service{Name: svc.Name, Version: svc.Version, Env: r.Environment.Name},
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
		Degradation:  degradation(svc.Resilience.Degradation),
		RateLimit:    rateLimit(svc.Resilience.RateLimit),
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

// clients has one client per dependency. The breaker is the dependency's
// own: a service's circuitBreaker describes how its callers break on it,
// the same settings the mesh applies to every caller through the
// dependency's DestinationRule.
func clients(r *schema.Resolved, svc *schema.Service) map[string]conf.Client {
	if len(svc.Dependencies) == 0 {
		return nil
	}
	out := make(map[string]conf.Client, len(svc.Dependencies))
	for name, dep := range svc.Dependencies {
		c := conf.Client{
			Endpoint: DiscoveryEndpoint(name),
			Timeout:  duration(dep.Timeout),
			Optional: dep.Optional,
		}
		if dep.Retries != nil {
			c.Retries = &conf.Retries{Attempts: dep.Retries.Attempts, PerTryTimeout: duration(dep.Retries.PerTryTimeout)}
		}
		if callee, ok := r.Services[name]; ok && callee.Resilience.CircuitBreaker != nil {
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
	return out
}

func degradation(d *schema.Degradation) *conf.Degradation {
	if d == nil {
		return nil
	}
	out := &conf.Degradation{
		WarnAt:          d.WarnAt,
		DegradeAt:       d.DegradeAt,
		FallbackTo:      d.FallbackTo,
		FallbackTimeout: duration(d.FallbackTimeout),
	}
	if d.FatalAt != nil {
		v := *d.FatalAt
		out.FatalAt = &v
	}
	return out
}

func rateLimit(l *schema.RateLimit) *conf.RateLimit {
	if l == nil {
		return nil
	}
	return &conf.RateLimit{Algorithm: l.Algorithm, Backend: l.Backend, RPS: l.RPS, Burst: l.Burst}
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
