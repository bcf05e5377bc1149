package kit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/govctl/govctl/render/kratos/conf"
)

// Decision is a rate limiter's answer for one request.
type Decision struct {
	// Allowed is whether the request is admitted.
	Allowed bool
	// Wait is how long an admitted request waits in a leaky bucket's queue
	// before it is served; zero for a token bucket.
	Wait time.Duration
	// Remaining is how many more requests the bucket admits right now:
	// tokens left, or room left in the queue.
	Remaining float64
	// Reset is how long until the bucket is full (token bucket) or its
	// queue empty (leaky bucket) again.
	Reset time.Duration
}

// Limiter is a rate-limit bucket.
type Limiter interface {
	// Take takes one request's place in the bucket. An error means the
	// bucket could not be asked (Redis is down), not that the request is
	// over the limit.
	Take(ctx context.Context) (Decision, error)
}

// NewLimiter returns the bucket rate_limit describes: token_bucket (bursts
// up to burst, then rps) or leaky_bucket (served at rps, up to burst
// requests waiting, beyond that rejected); per instance for backend local,
// one bucket for every instance of the service for backend redis (the Redis
// client of WithRedis, or one dialled to rate_limit.redis).
func NewLimiter(bc *conf.Bootstrap, opts ...Option) (Limiter, error) {
	return newLimiter(bc, buildOptions(opts))
}

func newLimiter(bc *conf.Bootstrap, o *options) (Limiter, error) {
	rl := bc.RateLimit
	if rl == nil {
		return nil, fmt.Errorf("rate limit: the config has no rate_limit")
	}
	if rl.RPS <= 0 {
		return nil, fmt.Errorf("rate_limit.rps is %d; it must be positive", rl.RPS)
	}
	if rl.Algorithm != "token_bucket" && rl.Algorithm != "leaky_bucket" {
		return nil, fmt.Errorf("rate_limit.algorithm %q: want token_bucket or leaky_bucket", rl.Algorithm)
	}
	switch rl.Backend {
	case "", "local":
		return newLocalLimiter(*rl, o.now), nil
	case "redis":
		return newRedisLimiter(bc, o)
	}
	return nil, fmt.Errorf("rate_limit.backend %q: want local or redis", rl.Backend)
}

// burstOf is the bucket size: burst, and at least one request.
func burstOf(rl conf.RateLimit) int {
	return max(rl.Burst, 1)
}

// localLimiter is one instance's bucket, golang.org/x/time/rate's: a token
// bucket is rate.Limiter itself; a leaky bucket is a limiter of burst 1
// whose reservations are the queue, refused beyond burst waiting requests.
type localLimiter struct {
	leaky   bool
	rps     float64
	burst   int
	now     func() time.Time
	limiter *rate.Limiter
	mu      sync.Mutex
}

func newLocalLimiter(rl conf.RateLimit, now func() time.Time) *localLimiter {
	l := &localLimiter{leaky: rl.Algorithm == "leaky_bucket", rps: float64(rl.RPS), burst: burstOf(rl), now: now}
	if l.leaky {
		l.limiter = rate.NewLimiter(rate.Limit(rl.RPS), 1)
	} else {
		l.limiter = rate.NewLimiter(rate.Limit(rl.RPS), l.burst)
	}
	return l
}

func (l *localLimiter) Take(context.Context) (Decision, error) {
	now := l.now()
	if !l.leaky {
		l.mu.Lock()
		ok := l.limiter.AllowN(now, 1)
		tokens := l.limiter.TokensAt(now)
		l.mu.Unlock()
		return Decision{Allowed: ok, Remaining: max(tokens, 0), Reset: seconds((float64(l.burst) - tokens) / l.rps)}, nil
	}
	// A request waits for the ones ahead of it to drain at rps; the queue
	// holds burst of them.
	maxWait := seconds(float64(l.burst) / l.rps)
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.limiter.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	if wait > maxWait {
		r.CancelAt(now)
		return Decision{Remaining: 0, Reset: wait}, nil
	}
	queued := wait.Seconds() * l.rps
	return Decision{Allowed: true, Wait: wait, Remaining: max(float64(l.burst)-queued, 0), Reset: wait + seconds(1/l.rps)}, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// rateLimitStep is the "ratelimit" step: RATELIMIT (429; gRPC
// ResourceExhausted) beyond the limit, a leaky bucket's wait served before
// the handler runs. A limiter that cannot answer (Redis down) admits the
// request and logs: a rate limit protects the service, and refusing all
// traffic because its counter is away would be the outage it guards
// against; the mesh's local rate limit still applies.
func rateLimitStep(bc *conf.Bootstrap, lim Limiter, m *metrics, logger log.Logger) middleware.Middleware {
	rl := bc.RateLimit
	backend := rl.Backend
	if backend == "" {
		backend = "local"
	}
	labels := prometheus.Labels{"destination_service_name": bc.Service.Name, "algorithm": rl.Algorithm, "backend": backend}
	remaining, reset, rejected := m.rlRemaining.With(labels), m.rlReset.With(labels), m.rlRejected.With(labels)
	remaining.Set(float64(burstOf(*rl)))
	helper := log.NewHelper(logger)
	backendErrors := m.rlErrors.With(labels)
	var lastLog atomic.Int64
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			d, err := lim.Take(ctx)
			if err != nil {
				backendErrors.Inc()
				// One line per 10s, not one per request, while the backend
				// is away; kit_ratelimit_backend_errors_total counts them all.
				if now := time.Now().UnixNano(); now-lastLog.Load() > int64(10*time.Second) {
					lastLog.Store(now)
					helper.WithContext(ctx).Errorf("rate limit: %v; admitting requests until the bucket answers again", err)
				}
				return next(ctx, req)
			}
			remaining.Set(d.Remaining)
			reset.Set(d.Reset.Seconds())
			if !d.Allowed {
				rejected.Inc()
				return nil, ErrRateLimited
			}
			if d.Wait > 0 {
				t := time.NewTimer(d.Wait)
				select {
				case <-ctx.Done():
					t.Stop()
					return nil, ctx.Err()
				case <-t.C:
				}
			}
			return next(ctx, req)
		}
	}
}
