package kit

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/go-kratos/kratos/v2/registry"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/govctl/govctl/render/kratos/conf"
)

// etcdPrefix is where Kratos' etcd registry keeps instances.
const etcdPrefix = "/microservices"

// EtcdRegistry registers instances in etcd on a lease and is a
// registry.Discovery of them too.
type EtcdRegistry struct {
	client    *clientv3.Client
	ttl       time.Duration
	heartbeat time.Duration
	beats     *heartbeats
	mu        sync.Mutex
	leases    map[string]clientv3.LeaseID
}

func newEtcdRegistry(ctx context.Context, bc *conf.Bootstrap, o *options) (*EtcdRegistry, error) {
	r := bc.Registry
	if r.Address == "" {
		return nil, fmt.Errorf("registry.kind etcd: registry.address is empty")
	}
	var endpoints []string
	for _, a := range strings.Split(r.Address, ",") {
		if !strings.Contains(a, "://") {
			a = "http://" + a
		}
		endpoints = append(endpoints, a)
	}
	client, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Context: ctx})
	if err != nil {
		return nil, fmt.Errorf("etcd registry at %s: %w", r.Address, err)
	}
	ttl := r.TTL.Std()
	if ttl <= 0 {
		ttl = 3 * heartbeatInterval(r)
	}
	return &EtcdRegistry{client: client, ttl: ttl, heartbeat: heartbeatInterval(r), beats: newHeartbeats(ctx, o.logger), leases: map[string]clientv3.LeaseID{}}, nil
}

func etcdKey(name, id string) string { return etcdPrefix + "/" + name + "/" + id }

// Register puts the instance on a new lease of the registry's ttl and keeps
// the lease alive every heartbeat; a lease that expired anyway (etcd was
// away longer than the ttl) is replaced and the instance put again.
func (r *EtcdRegistry) Register(ctx context.Context, in *registry.ServiceInstance) error {
	value, err := json.Marshal(in)
	if err != nil {
		return err
	}
	key := etcdKey(in.Name, in.ID)
	put := func(ctx context.Context) (clientv3.LeaseID, error) {
		lease, err := r.client.Grant(ctx, int64(math.Ceil(r.ttl.Seconds())))
		if err != nil {
			return 0, fmt.Errorf("etcd grant lease for %s: %w", key, err)
		}
		if _, err := r.client.Put(ctx, key, string(value), clientv3.WithLease(lease.ID)); err != nil {
			return 0, fmt.Errorf("etcd put %s: %w", key, err)
		}
		return lease.ID, nil
	}
	lease, err := put(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.leases[key] = lease
	r.mu.Unlock()
	r.beats.start(key, r.heartbeat, func(ctx context.Context) error {
		r.mu.Lock()
		lease := r.leases[key]
		r.mu.Unlock()
		resp, err := r.client.KeepAliveOnce(ctx, lease)
		if err == nil && resp.TTL > 0 {
			return nil
		}
		id, perr := put(ctx)
		if perr != nil {
			return fmt.Errorf("keep-alive %v; re-register: %w", err, perr)
		}
		r.mu.Lock()
		r.leases[key] = id
		r.mu.Unlock()
		return nil
	})
	return nil
}

// Deregister stops the keep-alive, deletes the instance and revokes its
// lease.
func (r *EtcdRegistry) Deregister(ctx context.Context, in *registry.ServiceInstance) error {
	key := etcdKey(in.Name, in.ID)
	r.beats.stop(key)
	r.mu.Lock()
	lease, ok := r.leases[key]
	delete(r.leases, key)
	r.mu.Unlock()
	if _, err := r.client.Delete(ctx, key); err != nil {
		return fmt.Errorf("etcd delete %s: %w", key, err)
	}
	if ok {
		if _, err := r.client.Revoke(ctx, lease); err != nil {
			return fmt.Errorf("etcd revoke lease of %s: %w", key, err)
		}
	}
	return nil
}

// Close stops every keep-alive without deregistering and closes the
// client: what a process that stops without its shutdown leaves behind,
// an instance that expires after the ttl.
func (r *EtcdRegistry) Close() error {
	r.mu.Lock()
	keys := make([]string, 0, len(r.leases))
	for k := range r.leases {
		keys = append(keys, k)
	}
	r.mu.Unlock()
	for _, k := range keys {
		r.beats.stop(k)
	}
	return r.client.Close()
}

// GetService returns the registered instances of name.
func (r *EtcdRegistry) GetService(ctx context.Context, name string) ([]*registry.ServiceInstance, error) {
	resp, err := r.client.Get(ctx, etcdPrefix+"/"+name+"/", clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("etcd get %s: %w", name, err)
	}
	out := make([]*registry.ServiceInstance, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		var in registry.ServiceInstance
		if err := json.Unmarshal(kv.Value, &in); err != nil {
			return nil, fmt.Errorf("etcd %s: %w", kv.Key, err)
		}
		out = append(out, &in)
	}
	return out, nil
}

// Watch returns a watcher of name's instances.
func (r *EtcdRegistry) Watch(ctx context.Context, name string) (registry.Watcher, error) {
	ctx, cancel := context.WithCancel(ctx)
	return &etcdWatcher{r: r, name: name, ctx: ctx, cancel: cancel,
		events: r.client.Watch(ctx, etcdPrefix+"/"+name+"/", clientv3.WithPrefix()), first: true}, nil
}

type etcdWatcher struct {
	r      *EtcdRegistry
	name   string
	ctx    context.Context
	cancel context.CancelFunc
	events clientv3.WatchChan
	first  bool
}

func (w *etcdWatcher) Next() ([]*registry.ServiceInstance, error) {
	if w.first {
		w.first = false
		return w.r.GetService(w.ctx, w.name)
	}
	select {
	case <-w.ctx.Done():
		return nil, w.ctx.Err()
	case resp, ok := <-w.events:
		if !ok {
			return nil, fmt.Errorf("etcd watch of %s closed", w.name)
		}
		if err := resp.Err(); err != nil {
			return nil, err
		}
		return w.r.GetService(w.ctx, w.name)
	}
}

func (w *etcdWatcher) Stop() error { w.cancel(); return nil }
