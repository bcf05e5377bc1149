package kit

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/govctl/govctl/kit/kittest"
	"github.com/govctl/govctl/render/kratos/conf"
)

func redisBootstrap(addr, algorithm string, rps, burst int) *conf.Bootstrap {
	bc := bootstrap()
	bc.Middleware = append(bc.Middleware, "ratelimit")
	bc.RateLimit = &conf.RateLimit{Algorithm: algorithm, Backend: "redis", RPS: rps, Burst: burst, Redis: addr}
	return bc
}

// TestRedisTokenBucketIsSharedByTwoInstances runs two kit instances (each
// its own bootstrap, Redis client and chain) against one redis-server: the
// burst is one bucket for both, not one each.
func TestRedisTokenBucketIsSharedByTwoInstances(t *testing.T) {
	addr := kittest.Redis(t)
	var chains [2]func() error
	var regs [2]*prometheus.Registry
	var calls atomic.Int64
	for i := range chains {
		regs[i] = prometheus.NewRegistry()
		mws, err := ServerMiddleware(redisBootstrap(addr, "token_bucket", 1, 10), WithRegistry(regs[i]))
		if err != nil {
			t.Fatal(err)
		}
		h := chain(t, mws, okHandler(&calls))
		chains[i] = func() error { _, err := h(context.Background(), nil); return err }
	}
	var admitted [2]int
	for i := range 30 {
		err := chains[i%2]()
		if err == nil {
			admitted[i%2]++
			continue
		}
		assertRateLimited(t, err)
	}
	// 1 rps refills about nothing during the test.
	if total := admitted[0] + admitted[1]; total < 10 || total > 11 {
		t.Fatalf("admitted %v = %d of 30, want the shared burst of 10", admitted, total)
	}
	if admitted[0] == 0 || admitted[1] == 0 {
		t.Fatalf("admitted %v: both instances take from the bucket", admitted)
	}
	labels := prometheus.Labels{"destination_service_name": "orders", "algorithm": "token_bucket", "backend": "redis"}
	m := newMetrics(regs[0])
	if got := testutil.ToFloat64(m.rlRemaining.With(labels)); got >= 1 {
		t.Errorf("kit_ratelimit_remaining = %v after the burst is gone, want < 1", got)
	}
	if got := testutil.ToFloat64(m.rlReset.With(labels)); got < 8 || got > 10 {
		t.Errorf("kit_ratelimit_reset_seconds = %v, want ~10 (10 tokens at 1 rps)", got)
	}
	if got := testutil.ToFloat64(m.rlRejected.With(labels)); got < 9 {
		t.Errorf("kit_ratelimit_rejected_total = %v on instance 0, want about 10", got)
	}
}

// TestRedisLeakyBucketQueuesAcrossInstances: two instances share one queue
// drained at rps, burst deep, timed by the Redis server's clock.
func TestRedisLeakyBucketQueuesAcrossInstances(t *testing.T) {
	addr := kittest.Redis(t)
	var lims [2]Limiter
	for i := range lims {
		c := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { c.Close() })
		l, err := NewLimiter(redisBootstrap(addr, "leaky_bucket", 10, 3), WithRedis(c))
		if err != nil {
			t.Fatal(err)
		}
		lims[i] = l
	}
	var waits []time.Duration
	for i := range 6 {
		d, err := lims[i%2].Take(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed {
			waits = append(waits, d.Wait)
		}
	}
	if len(waits) != 4 {
		t.Fatalf("admitted %d of 6 (waits %v), want 4: one served and 3 queued", len(waits), waits)
	}
	for i, w := range waits {
		want := time.Duration(i) * 100 * time.Millisecond
		if w < want-20*time.Millisecond || w > want+5*time.Millisecond {
			t.Errorf("request %d waits %s, want about %s (10 rps)", i+1, w, want)
		}
	}
	time.Sleep(150 * time.Millisecond)
	if d, _ := lims[0].Take(context.Background()); !d.Allowed {
		t.Fatalf("after a request drained there is room again: %+v", d)
	}
}

// TestRedisDownAdmitsAndSays: the bucket's backend failing does not become an
// outage of the service.
func TestRedisDownAdmitsAndSays(t *testing.T) {
	bc := redisBootstrap("127.0.0.1:1", "token_bucket", 1, 1)
	reg := prometheus.NewRegistry()
	mws, err := ServerMiddleware(bc, WithRegistry(reg))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	h := chain(t, mws, okHandler(&calls))
	start := time.Now()
	for range 3 {
		if _, err := h(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("3 requests took %s with Redis away; each may wait at most %s for it", el, redisTakeTimeout)
	}
	labels := prometheus.Labels{"destination_service_name": "orders", "algorithm": "token_bucket", "backend": "redis"}
	if got := testutil.ToFloat64(newMetrics(reg).rlErrors.With(labels)); got != 3 {
		t.Fatalf("kit_ratelimit_backend_errors_total = %v, want 3", got)
	}
}
