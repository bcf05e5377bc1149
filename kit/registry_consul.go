package kit

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/go-kratos/kratos/v2/registry"
	"github.com/hashicorp/consul/api"

	"github.com/govctl/govctl/render/kratos/conf"
)

// ConsulRegistry registers instances with the local Consul agent.
type ConsulRegistry struct {
	client *api.Client
	reg    conf.Registry
	health string
	beats  *heartbeats
}

func newConsulRegistry(ctx context.Context, bc *conf.Bootstrap, o *options) (*ConsulRegistry, error) {
	r := bc.Registry
	if r.Address == "" {
		return nil, fmt.Errorf("registry.kind consul: registry.address is empty")
	}
	cfg := api.DefaultConfig()
	cfg.Address = r.Address
	client, err := api.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("consul registry at %s: %w", r.Address, err)
	}
	return &ConsulRegistry{client: client, reg: r, health: HealthPath(bc), beats: newHeartbeats(ctx, o.logger)}, nil
}

// ttlCheckID is the TTL check kit passes every heartbeat.
func ttlCheckID(id string) string { return "service:" + id + ":ttl" }

// Register registers the instance with two checks: the agent polls the
// HTTP health endpoint (interval, timeout, deregistered after
// deregister_after critical), and the instance passes a TTL check every
// heartbeat, which goes critical ttl after the process stops.
func (r *ConsulRegistry) Register(ctx context.Context, in *registry.ServiceInstance) error {
	eps, err := parseEndpoints(in)
	if err != nil {
		return err
	}
	var httpEP *endpoint
	tagged := map[string]api.ServiceAddress{}
	for i, e := range eps {
		tagged[e.scheme] = api.ServiceAddress{Address: e.host, Port: e.port}
		if e.scheme == "http" && httpEP == nil {
			httpEP = &eps[i]
		}
	}
	if httpEP == nil {
		return fmt.Errorf("consul register %s: no http endpoint for the health check among %v", in.ID, in.Endpoints)
	}
	meta := map[string]string{"version": in.Version}
	for k, v := range in.Metadata {
		meta[k] = v
	}
	hc := r.reg.HealthCheck
	deregister := hc.DeregisterAfter.Std().String()
	if hc.DeregisterAfter <= 0 {
		deregister = ""
	}
	checks := api.AgentServiceChecks{{
		CheckID:                        "service:" + in.ID + ":http",
		Name:                           "health " + r.health,
		HTTP:                           "http://" + net.JoinHostPort(httpEP.host, strconv.Itoa(httpEP.port)) + r.health,
		Method:                         "GET",
		Interval:                       hc.Interval.Std().String(),
		Timeout:                        hc.Timeout.Std().String(),
		DeregisterCriticalServiceAfter: deregister,
	}}
	if r.reg.TTL > 0 {
		checks = append(checks, &api.AgentServiceCheck{
			CheckID:                        ttlCheckID(in.ID),
			Name:                           "heartbeat",
			TTL:                            r.reg.TTL.Std().String(),
			DeregisterCriticalServiceAfter: deregister,
		})
	}
	reg := &api.AgentServiceRegistration{
		ID:              in.ID,
		Name:            in.Name,
		Tags:            []string{"version=" + in.Version},
		Address:         httpEP.host,
		Port:            httpEP.port,
		TaggedAddresses: tagged,
		Meta:            meta,
		Checks:          checks,
	}
	if err := r.client.Agent().ServiceRegisterOpts(reg, api.ServiceRegisterOpts{ReplaceExistingChecks: true}.WithContext(ctx)); err != nil {
		return fmt.Errorf("consul register %s: %w", in.ID, err)
	}
	if r.reg.TTL > 0 {
		pass := func(ctx context.Context) error {
			return r.client.Agent().UpdateTTLOpts(ttlCheckID(in.ID), "heartbeat", api.HealthPassing, (&api.QueryOptions{}).WithContext(ctx))
		}
		if err := pass(ctx); err != nil {
			return fmt.Errorf("consul pass ttl check of %s: %w", in.ID, err)
		}
		r.beats.start(in.ID, heartbeatInterval(r.reg), func(ctx context.Context) error {
			if err := pass(ctx); err != nil {
				// The agent forgot the service (deregistered after being
				// critical, or restarted without state): register again.
				if rerr := r.client.Agent().ServiceRegisterOpts(reg, api.ServiceRegisterOpts{ReplaceExistingChecks: true}.WithContext(ctx)); rerr != nil {
					return fmt.Errorf("pass ttl check: %v; register again: %w", err, rerr)
				}
				return pass(ctx)
			}
			return nil
		})
	}
	return nil
}

// Deregister stops the heartbeat and deregisters the instance.
func (r *ConsulRegistry) Deregister(ctx context.Context, in *registry.ServiceInstance) error {
	r.beats.stop(in.ID)
	if err := r.client.Agent().ServiceDeregisterOpts(in.ID, (&api.QueryOptions{}).WithContext(ctx)); err != nil {
		return fmt.Errorf("consul deregister %s: %w", in.ID, err)
	}
	return nil
}
