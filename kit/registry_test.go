package kit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/registry"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/govctl/govctl/kit/kittest"
	"github.com/govctl/govctl/kit/kittest/consulfake"
	"github.com/govctl/govctl/kit/kittest/nacosfake"
	"github.com/govctl/govctl/render/kratos/conf"
)

func instance() *registry.ServiceInstance {
	return &registry.ServiceInstance{ID: "orders-1", Name: "orders", Version: "v1",
		Metadata:  map[string]string{"env": "prod", "namespace": "shop-prod"},
		Endpoints: []string{"http://127.0.0.1:18000?isSecure=false", "grpc://127.0.0.1:19000?isSecure=false"}}
}

func TestKubernetesRegistryRegistersNothing(t *testing.T) {
	bc := bootstrap()
	bc.Registry.Kind = "kubernetes"
	r, err := NewRegistrar(context.Background(), bc)
	if err != nil || r != nil {
		t.Fatalf("registrar %v, err %v; want none: the cluster's Service is the registry", r, err)
	}
	bc.Registry.Kind = "zookeeper"
	if _, err := NewRegistrar(context.Background(), bc); err == nil || !strings.Contains(err.Error(), `registry.kind "zookeeper"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestEtcdRegistrationKeepsAliveAndExpiresAfterTTL registers with a real
// etcd on a 2s lease renewed every 500ms: the instance outlives several
// TTLs while the registrar runs, is gone ttl after it stops without
// deregistering (a killed process), and Deregister removes it at once.
func TestEtcdRegistrationKeepsAliveAndExpiresAfterTTL(t *testing.T) {
	url, _ := kittest.Etcd(t)
	bc := bootstrap()
	bc.Registry = conf.Registry{Kind: "etcd", Address: url, TTL: conf.Duration(2 * time.Second), Heartbeat: conf.Duration(500 * time.Millisecond)}
	ctx := kittest.Context(t)
	r, err := NewRegistrar(ctx, bc)
	if err != nil {
		t.Fatal(err)
	}
	reg := r.(*EtcdRegistry)
	watcher, err := clientv3.New(clientv3.Config{Endpoints: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	key := "/microservices/orders/orders-1"
	lookup := func() (*registry.ServiceInstance, int64) {
		resp, err := watcher.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Kvs) == 0 {
			return nil, 0
		}
		var in registry.ServiceInstance
		if err := json.Unmarshal(resp.Kvs[0].Value, &in); err != nil {
			t.Fatal(err)
		}
		ttl, err := watcher.TimeToLive(ctx, clientv3.LeaseID(resp.Kvs[0].Lease))
		if err != nil {
			t.Fatal(err)
		}
		return &in, ttl.GrantedTTL
	}

	if err := reg.Register(ctx, instance()); err != nil {
		t.Fatal(err)
	}
	in, granted := lookup()
	if in == nil || in.Version != "v1" || len(in.Endpoints) != 2 || granted != 2 {
		t.Fatalf("registered %+v on a lease of %ds, want the instance on a 2s lease", in, granted)
	}
	got, err := reg.GetService(ctx, "orders")
	if err != nil || len(got) != 1 || got[0].ID != "orders-1" {
		t.Fatalf("discovery: %v %v", got, err)
	}
	w, err := reg.Watch(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.Next(); err != nil || len(got) != 1 {
		t.Fatalf("first watch: %v %v", got, err)
	}
	second := instance()
	second.ID = "orders-2"
	if err := reg.Register(ctx, second); err != nil {
		t.Fatal(err)
	}
	if got, err := w.Next(); err != nil || len(got) != 2 {
		t.Fatalf("watch after a second instance registered: %v %v", got, err)
	}
	w.Stop()
	if err := reg.Deregister(ctx, second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3500 * time.Millisecond) // well past the TTL: only the keep-alive holds it
	if in, _ := lookup(); in == nil {
		t.Fatal("the instance expired although the registrar kept its lease alive")
	}

	// The process stops without deregistering: no more keep-alives.
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}
	if in, _ := lookup(); in == nil {
		t.Fatal("the instance vanished at once; it must live out its ttl")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		in, _ := lookup()
		if in == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the instance is still registered 5s after its 2s ttl without keep-alive")
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Deregister removes it at once.
	r2, err := NewRegistrar(ctx, bc)
	if err != nil {
		t.Fatal(err)
	}
	if err := r2.Register(ctx, instance()); err != nil {
		t.Fatal(err)
	}
	if err := r2.Deregister(ctx, instance()); err != nil {
		t.Fatal(err)
	}
	if in, _ := lookup(); in != nil {
		t.Fatal("still registered after Deregister")
	}
	r2.(*EtcdRegistry).Close()
}

// TestConsulRegistrationWithHealthAndTTLChecks runs an app registered with
// a fake Consul agent that polls the app's health endpoint as the real agent
// does.
func TestConsulRegistrationWithHealthAndTTLChecks(t *testing.T) {
	agent := consulfake.New(t)
	bc := appBootstrap()
	bc.Registry = conf.Registry{Kind: "consul", Address: agent.Addr(), TTL: conf.Duration(time.Second), Heartbeat: conf.Duration(200 * time.Millisecond),
		HealthCheck: conf.HealthCheck{Path: "/health", Interval: conf.Duration(100 * time.Millisecond), Timeout: conf.Duration(time.Second), DeregisterAfter: conf.Duration(90 * time.Second)}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := NewApp(ctx, bc, WithStopTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	wait := runApp(t, a)
	time.Sleep(700 * time.Millisecond)
	services := agent.Services()
	if len(services) != 1 {
		t.Fatalf("services %v, want the one instance", services)
	}
	var svc consulfake.Service
	for _, s := range services {
		svc = s
	}
	if svc.Name != "orders" || svc.Meta["env"] != "prod" || svc.Meta["version"] != "v1" || svc.Meta["namespace"] != "shop-prod" ||
		svc.TaggedAddresses["grpc"].Port == 0 || svc.Address+":"+itoa(svc.Port) != a.HTTPAddr() {
		t.Fatalf("registered %+v (app on %s)", svc, a.HTTPAddr())
	}
	var httpCheck, ttlCheck consulfake.Check
	for _, c := range agent.Checks() {
		if c.HTTP != "" {
			httpCheck = c
		} else {
			ttlCheck = c
		}
	}
	if httpCheck.HTTP != "http://"+a.HTTPAddr()+"/health" || httpCheck.Interval != 100*time.Millisecond || httpCheck.Timeout != time.Second ||
		httpCheck.DeregisterAfter != 90*time.Second || httpCheck.Status != "passing" || httpCheck.Runs < 3 {
		t.Fatalf("http check %+v, want the health path every 100ms, passing", httpCheck)
	}
	if ttlCheck.TTL != time.Second || ttlCheck.Status != "passing" || ttlCheck.Updates < 3 {
		t.Fatalf("ttl check %+v, want a 1s TTL passed every 200ms", ttlCheck)
	}
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if s := agent.Services(); len(s) != 0 {
		t.Fatalf("still registered after the shutdown: %v", s)
	}
}

func TestConsulTTLCheckGoesCriticalWhenTheProcessStops(t *testing.T) {
	agent := consulfake.New(t)
	bc := bootstrap()
	bc.Registry = conf.Registry{Kind: "consul", Address: agent.Addr(), TTL: conf.Duration(300 * time.Millisecond), Heartbeat: conf.Duration(100 * time.Millisecond),
		HealthCheck: conf.HealthCheck{Path: "/health", Interval: conf.Duration(time.Hour), Timeout: conf.Duration(time.Second), DeregisterAfter: conf.Duration(600 * time.Millisecond)}}
	// The instance's health endpoint answers, so that only the TTL check
	// can go critical.
	healthy := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer healthy.Close()
	in := instance()
	in.Endpoints[0] = healthy.URL + "?isSecure=false"
	ctx, cancel := context.WithCancel(context.Background())
	r, err := NewRegistrar(ctx, bc)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Register(ctx, in); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if c := agent.Checks()["service:orders-1:http"]; c.Status != "passing" {
		t.Fatalf("http check %+v", c)
	}
	if c := agent.Checks()[ttlCheckID("orders-1")]; c.Status != "passing" {
		t.Fatalf("ttl check %+v while heartbeating", c)
	}
	cancel() // the heartbeats stop with the registrar's context
	time.Sleep(500 * time.Millisecond)
	if c := agent.Checks()[ttlCheckID("orders-1")]; c.Status != "critical" {
		t.Fatalf("ttl check %+v 500ms after the last heartbeat (ttl 300ms), want critical", c)
	}
	time.Sleep(800 * time.Millisecond)
	if s := agent.Services(); len(s) != 0 {
		t.Fatalf("still registered after deregister_after critical: %v", s)
	}
}

func TestNacosRegistrationBeatsAndExpires(t *testing.T) {
	server := nacosfake.New(t)
	bc := bootstrap()
	bc.Registry = conf.Registry{Kind: "nacos", Address: server.Addr(), TTL: conf.Duration(400 * time.Millisecond), Heartbeat: conf.Duration(100 * time.Millisecond),
		HealthCheck: conf.HealthCheck{DeregisterAfter: conf.Duration(800 * time.Millisecond)}}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := NewRegistrar(ctx, bc)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Register(ctx, instance()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	ins := server.Instances()
	if len(ins) != 2 {
		t.Fatalf("instances %+v, want orders.http and orders.grpc", ins)
	}
	for _, in := range ins {
		if in.Namespace != "shop-prod" || !in.Healthy || in.Beats < 3 || !in.Ephemeral ||
			in.Metadata["env"] != "prod" || in.Metadata["preserved.heart.beat.timeout"] != "400" || in.Metadata["preserved.ip.delete.timeout"] != "800" {
			t.Fatalf("instance %+v", in)
		}
		if in.Service != "DEFAULT_GROUP@@orders.http" && in.Service != "DEFAULT_GROUP@@orders.grpc" {
			t.Fatalf("service name %q", in.Service)
		}
	}
	cancel() // the process stops: no more beats
	time.Sleep(500 * time.Millisecond)
	for _, in := range server.Instances() {
		if in.Healthy {
			t.Fatalf("instance %+v still healthy 500ms after its last beat (ttl 400ms)", in)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if ins := server.Instances(); len(ins) != 0 {
		t.Fatalf("instances %+v still there after deregister_after", ins)
	}

	// A running registrar deregisters at once.
	r, _ = NewRegistrar(context.Background(), bc)
	if err := r.Register(context.Background(), instance()); err != nil {
		t.Fatal(err)
	}
	if err := r.Deregister(context.Background(), instance()); err != nil {
		t.Fatal(err)
	}
	if ins := server.Instances(); len(ins) != 0 {
		t.Fatalf("instances %+v after Deregister", ins)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
