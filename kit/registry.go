package kit

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/registry"

	"github.com/govctl/govctl/render/kratos/conf"
)

// NewRegistrar returns the Kratos registrar of registry.kind, which NewApp
// registers the instance with after both servers accept and deregisters
// from when the shutdown starts:
//
//   - kubernetes: nil; the cluster's Service and the readiness probe on the
//     health endpoint are the registry, there is nothing to register;
//   - etcd: the instance under /microservices/<name>/<id> (the layout of
//     Kratos' etcd registry) on a lease of registry.ttl, kept alive every
//     registry.heartbeat, so that it expires ttl after the process stops;
//   - consul: the agent API (hashicorp/consul/api): an HTTP check on the
//     health path every health_check.interval with its timeout, deregistered
//     after health_check.deregister_after critical, and a TTL check of
//     registry.ttl passed every registry.heartbeat; the metadata carries
//     env, namespace and version;
//   - nacos: the Open API's instance registration and heartbeat beat every
//     registry.heartbeat, one ephemeral instance per endpoint scheme
//     (<name>.http, <name>.grpc, as Kratos' Nacos registry names them),
//     with heartbeat, ttl and deregister_after as the instance's
//     preserved.* timeouts.
//
// The registrar's heartbeats run until Deregister or the end of ctx.
func NewRegistrar(ctx context.Context, bc *conf.Bootstrap, opts ...Option) (registry.Registrar, error) {
	o := buildOptions(opts)
	r := bc.Registry
	switch r.Kind {
	case "kubernetes", "":
		return nil, nil
	case "etcd":
		return newEtcdRegistry(ctx, bc, o)
	case "consul":
		return newConsulRegistry(ctx, bc, o)
	case "nacos":
		return newNacosRegistry(ctx, bc, o)
	}
	return nil, fmt.Errorf("registry.kind %q: kit knows kubernetes, etcd, consul and nacos", r.Kind)
}

// heartbeats runs one heartbeat loop per registered instance.
type heartbeats struct {
	ctx    context.Context
	logger *log.Helper
	mu     sync.Mutex
	loops  map[string]*heartbeatLoop
}

type heartbeatLoop struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func newHeartbeats(ctx context.Context, logger log.Logger) *heartbeats {
	return &heartbeats{ctx: ctx, logger: log.NewHelper(logger), loops: map[string]*heartbeatLoop{}}
}

// start calls beat every interval until stop(id) or the end of the
// registrar's context.
func (h *heartbeats) start(id string, interval time.Duration, beat func(context.Context) error) {
	h.stop(id)
	ctx, cancel := context.WithCancel(h.ctx)
	l := &heartbeatLoop{cancel: cancel, done: make(chan struct{})}
	h.mu.Lock()
	h.loops[id] = l
	h.mu.Unlock()
	go func() {
		defer close(l.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				bctx, bcancel := context.WithTimeout(ctx, interval)
				if err := beat(bctx); err != nil && ctx.Err() == nil {
					h.logger.Warnf("registry heartbeat of %s: %v", id, err)
				}
				bcancel()
			}
		}
	}()
}

// stop ends id's loop and waits for it.
func (h *heartbeats) stop(id string) {
	h.mu.Lock()
	l := h.loops[id]
	delete(h.loops, id)
	h.mu.Unlock()
	if l != nil {
		l.cancel()
		<-l.done
	}
}

// heartbeatInterval is registry.heartbeat, or a third of the ttl when the
// bootstrap leaves it out.
func heartbeatInterval(r conf.Registry) time.Duration {
	if r.Heartbeat > 0 {
		return r.Heartbeat.Std()
	}
	if r.TTL > 0 {
		return r.TTL.Std() / 3
	}
	return 10 * time.Second
}

// endpoint is one of an instance's endpoints, "grpc://host:port?isSecure=false".
type endpoint struct {
	scheme, host string
	port         int
}

func parseEndpoints(in *registry.ServiceInstance) ([]endpoint, error) {
	var out []endpoint
	for _, e := range in.Endpoints {
		u, err := url.Parse(e)
		if err != nil {
			return nil, fmt.Errorf("instance %s endpoint %q: %w", in.ID, e, err)
		}
		host, p, err := net.SplitHostPort(u.Host)
		if err != nil {
			return nil, fmt.Errorf("instance %s endpoint %q: %w", in.ID, e, err)
		}
		port, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("instance %s endpoint %q: port: %w", in.ID, e, err)
		}
		out = append(out, endpoint{scheme: u.Scheme, host: host, port: port})
	}
	return out, nil
}
