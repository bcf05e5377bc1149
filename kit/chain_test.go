package kit

import (
	"context"
	stderrors "errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/errors"
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/go-kratos/kratos/v2/transport"
	"google.golang.org/grpc/codes"

	"github.com/govctl/govctl/render/kratos/conf"
)

// fakeClock is a clock tests step by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func bootstrap() *conf.Bootstrap {
	return &conf.Bootstrap{
		Service:    conf.Service{Name: "orders", Version: "v1", Env: "prod", Namespace: "shop-prod"},
		Middleware: []string{"recovery", "logging", "metrics"},
	}
}

// chain composes mws around h, outermost first, as Kratos does.
func chain(t testing.TB, mws []middleware.Middleware, h middleware.Handler) middleware.Handler {
	t.Helper()
	return middleware.Chain(mws...)(h)
}

func okHandler(calls *atomic.Int64) middleware.Handler {
	return func(context.Context, any) (any, error) {
		calls.Add(1)
		return "ok", nil
	}
}

func TestServerMiddlewareRejectsWhatItCannotEnforce(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*conf.Bootstrap)
		opts []Option
		want string
	}{
		{"unknown name", func(bc *conf.Bootstrap) { bc.Middleware = append(bc.Middleware, "jwt") }, nil, `middleware[3] "jwt": unknown`},
		{"auth without authenticator", func(bc *conf.Bootstrap) { bc.Middleware = append(bc.Middleware, "auth") }, nil, "middleware auth: no authenticator"},
		{"ratelimit without rate_limit", func(bc *conf.Bootstrap) { bc.Middleware = append(bc.Middleware, "ratelimit") }, nil, "the config has no rate_limit"},
		{"listed twice", func(bc *conf.Bootstrap) { bc.Middleware = append(bc.Middleware, "logging") }, nil, "listed twice"},
		{"bad algorithm", func(bc *conf.Bootstrap) {
			bc.RateLimit = &conf.RateLimit{Algorithm: "sliding", RPS: 1}
		}, nil, `rate_limit.algorithm "sliding"`},
		{"redis without server", func(bc *conf.Bootstrap) {
			bc.RateLimit = &conf.RateLimit{Algorithm: "token_bucket", Backend: "redis", RPS: 1}
		}, nil, "rate_limit.redis names no server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bc := bootstrap()
			tc.edit(bc)
			_, err := ServerMiddleware(bc, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestServerChainRunsOnAPlainContext(t *testing.T) {
	bc := bootstrap()
	bc.Middleware = []string{"recovery", "tracing", "logging", "metrics", "validate", "metadata", "circuitbreaker"}
	mws, err := ServerMiddleware(bc)
	if err != nil {
		t.Fatal(err)
	}
	h := chain(t, mws, func(context.Context, any) (any, error) { panic("boom") })
	_, err = h(context.Background(), "req")
	if errors.FromError(err).Code != 500 {
		t.Fatalf("a panic must be recovered into a 500, got %v", err)
	}
}

func TestTokenBucketAdmitsABurstThenTheRate(t *testing.T) {
	clock := newFakeClock()
	bc := bootstrap()
	bc.Middleware = append(bc.Middleware, "ratelimit")
	bc.RateLimit = &conf.RateLimit{Algorithm: "token_bucket", Backend: "local", RPS: 10, Burst: 5}
	mws, err := ServerMiddleware(bc, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	h := chain(t, mws, okHandler(&calls))
	for i := range 5 {
		if _, err := h(context.Background(), nil); err != nil {
			t.Fatalf("request %d of the burst: %v", i+1, err)
		}
	}
	_, err = h(context.Background(), nil)
	assertRateLimited(t, err)
	if calls.Load() != 5 {
		t.Fatalf("handler ran %d times, want 5: a rejected request must not reach it", calls.Load())
	}
	clock.Advance(100 * time.Millisecond) // one token at 10 rps
	if _, err := h(context.Background(), nil); err != nil {
		t.Fatalf("after 100ms at 10 rps one request must pass: %v", err)
	}
	_, err = h(context.Background(), nil)
	assertRateLimited(t, err)
}

func assertRateLimited(t *testing.T, err error) {
	t.Helper()
	se := errors.FromError(err)
	if se == nil || se.Code != 429 || se.Reason != "RATELIMIT" {
		t.Fatalf("err = %v, want a Kratos error 429 RATELIMIT", err)
	}
	if got := se.GRPCStatus().Code(); got != codes.ResourceExhausted {
		t.Fatalf("over gRPC the rejection is %s, want ResourceExhausted", got)
	}
}

func TestLeakyBucketQueuesUpToBurstAtTheRate(t *testing.T) {
	clock := newFakeClock()
	lim := newLocalLimiter(conf.RateLimit{Algorithm: "leaky_bucket", RPS: 10, Burst: 3}, clock.Now)
	var waits []time.Duration
	for range 4 {
		d, _ := lim.Take(context.Background())
		if !d.Allowed {
			t.Fatalf("request %d rejected; the queue holds 3 behind the one served", len(waits)+1)
		}
		waits = append(waits, d.Wait)
	}
	want := []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Fatalf("waits = %v, want %v (drained at 10 rps)", waits, want)
	}
	if d, _ := lim.Take(context.Background()); d.Allowed {
		t.Fatalf("a fifth request with 3 waiting must be rejected, got %+v", d)
	}
	clock.Advance(100 * time.Millisecond)
	if d, _ := lim.Take(context.Background()); !d.Allowed || d.Wait != 300*time.Millisecond {
		t.Fatalf("after one drained, a request must queue for 300ms, got %+v", d)
	}
}

func TestLeakyBucketStepDelaysTheHandler(t *testing.T) {
	bc := bootstrap()
	bc.RateLimit = &conf.RateLimit{Algorithm: "leaky_bucket", RPS: 20, Burst: 2}
	mws, err := ServerMiddleware(bc) // not named in middleware: enforced anyway
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
	if el := time.Since(start); el < 90*time.Millisecond {
		t.Fatalf("3 requests at 20 rps took %s, want >= 100ms", el)
	}
	var rejected int
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range 6 {
		wg.Go(func() {
			if _, err := h(context.Background(), nil); err != nil {
				mu.Lock()
				rejected++
				mu.Unlock()
				assertRateLimited(t, err)
			}
		})
	}
	wg.Wait()
	if rejected == 0 {
		t.Fatal("6 simultaneous requests into a queue of 2 at 20 rps: none rejected")
	}
}

func clientBootstrap(c conf.Client) *conf.Bootstrap {
	bc := bootstrap()
	bc.Clients = map[string]conf.Client{"payments": c}
	return bc
}

func breakerConf(minRequests int, threshold float64, interval, timeout time.Duration) *conf.CircuitBreaker {
	return &conf.CircuitBreaker{MinRequests: minRequests, ErrorThreshold: threshold, Interval: conf.Duration(interval), Timeout: conf.Duration(timeout)}
}

// flaky fails the calls for which fail returns true, with a 503.
func flaky(calls *atomic.Int64, fail func(n int64) bool) middleware.Handler {
	return func(context.Context, any) (any, error) {
		n := calls.Add(1)
		if fail(n) {
			return nil, errors.ServiceUnavailable("DOWN", "payments is down")
		}
		return "ok", nil
	}
}

func TestBreakerOpensAtMinRequestsAndThresholdThenFailsFast(t *testing.T) {
	bc := clientBootstrap(conf.Client{CircuitBreaker: breakerConf(10, 0.5, time.Minute, 150*time.Millisecond)})
	mws, err := ClientMiddleware(bc, "payments")
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	fail := atomic.Bool{}
	fail.Store(true)
	h := chain(t, mws, flaky(&calls, func(int64) bool { return fail.Load() }))
	for i := range 9 {
		if _, err := h(context.Background(), nil); errors.Reason(err) != "DOWN" {
			t.Fatalf("call %d: %v; the breaker must stay closed below min_requests", i+1, err)
		}
	}
	if _, err := h(context.Background(), nil); errors.Reason(err) != "DOWN" {
		t.Fatalf("call 10 reaches the handler: %v", err)
	}
	_, err = h(context.Background(), nil)
	se := errors.FromError(err)
	if se.Code != 503 || se.Reason != "CIRCUITBREAKER" {
		t.Fatalf("after 10 of 10 failed: %v, want 503 CIRCUITBREAKER", err)
	}
	if calls.Load() != 10 {
		t.Fatalf("handler called %d times, want 10: an open breaker fails fast", calls.Load())
	}

	// Half-open after timeout: one probe; it fails, the breaker opens again.
	time.Sleep(200 * time.Millisecond)
	if _, err := h(context.Background(), nil); errors.Reason(err) != "DOWN" {
		t.Fatalf("half-open probe: %v, want it to reach the handler", err)
	}
	if _, err := h(context.Background(), nil); errors.Reason(err) != "CIRCUITBREAKER" {
		t.Fatalf("after a failed probe: %v, want CIRCUITBREAKER", err)
	}
	// The next probe succeeds and closes it.
	time.Sleep(200 * time.Millisecond)
	fail.Store(false)
	for i := range 3 {
		if _, err := h(context.Background(), nil); err != nil {
			t.Fatalf("call %d after a good probe: %v", i+1, err)
		}
	}
}

func TestBreakerStaysClosedBelowThresholdAndOnClientErrors(t *testing.T) {
	bc := clientBootstrap(conf.Client{CircuitBreaker: breakerConf(10, 0.5, time.Minute, time.Minute)})
	mws, _ := ClientMiddleware(bc, "payments")
	var calls atomic.Int64
	// 2 of every 5 fail: the ratio after the tenth call peaks at 5/11 < 50%.
	h := chain(t, mws, flaky(&calls, func(n int64) bool { return n%5 < 2 }))
	for range 100 {
		if _, err := h(context.Background(), nil); errors.Reason(err) == "CIRCUITBREAKER" {
			t.Fatalf("opened at %d calls with at most 45%% failing, threshold 50%%", calls.Load())
		}
	}
	var bad atomic.Int64
	h = chain(t, mws, func(context.Context, any) (any, error) {
		bad.Add(1)
		return nil, errors.BadRequest("INVALID", "bad order id")
	})
	for range 50 {
		if _, err := h(context.Background(), nil); errors.Reason(err) == "CIRCUITBREAKER" {
			t.Fatal("400s opened the breaker; a client error is not the dependency failing")
		}
	}
}

func TestBreakerCountsOnlyTheCurrentInterval(t *testing.T) {
	bc := clientBootstrap(conf.Client{CircuitBreaker: breakerConf(4, 0.5, 150*time.Millisecond, time.Minute)})
	mws, _ := ClientMiddleware(bc, "payments")
	var calls atomic.Int64
	h := chain(t, mws, flaky(&calls, func(int64) bool { return true }))
	for range 3 {
		h(context.Background(), nil)
	}
	time.Sleep(200 * time.Millisecond) // a new interval: the 3 failures are gone
	for range 3 {
		if _, err := h(context.Background(), nil); errors.Reason(err) == "CIRCUITBREAKER" {
			t.Fatal("failures of an earlier interval opened the breaker")
		}
	}
	if _, err := h(context.Background(), nil); errors.Reason(err) != "DOWN" {
		t.Fatalf("4th call of the interval: %v", err)
	}
	if _, err := h(context.Background(), nil); errors.Reason(err) != "CIRCUITBREAKER" {
		t.Fatalf("4 of 4 failed in the interval: %v, want CIRCUITBREAKER", err)
	}
}

func TestClientDeadlineBoundsTheCall(t *testing.T) {
	bc := clientBootstrap(conf.Client{Timeout: conf.Duration(50 * time.Millisecond)})
	mws, _ := ClientMiddleware(bc, "payments")
	h := chain(t, mws, func(ctx context.Context, _ any) (any, error) {
		dl, ok := ctx.Deadline()
		if !ok || time.Until(dl) > 50*time.Millisecond {
			t.Errorf("deadline %v (set %v), want within 50ms", dl, ok)
		}
		<-ctx.Done()
		return nil, ctx.Err()
	})
	start := time.Now()
	_, err := h(context.Background(), nil)
	if !stderrors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("err = %v after %s, want a deadline after 50ms", err, time.Since(start))
	}
}

func TestRetriesOnlyWhenTheAppOwnsThem(t *testing.T) {
	refused := fmt.Errorf("dial: %w", syscall.ECONNREFUSED)
	unavailable := errors.ServiceUnavailable("DOWN", "down")
	for _, tc := range []struct {
		name    string
		retries *conf.Retries
		err     error
		want    int64
	}{
		{"mesh owns retries: none in the app", nil, refused, 1},
		{"5xx retried", &conf.Retries{Attempts: 2}, unavailable, 3},
		{"4xx not retried", &conf.Retries{Attempts: 2}, errors.BadRequest("X", "x"), 1},
		{"connect-failure,reset: a 503 is not retried", &conf.Retries{Attempts: 2, RetryOn: "connect-failure,reset"}, unavailable, 1},
		{"connect-failure,reset: a refused connection is", &conf.Retries{Attempts: 1, RetryOn: "connect-failure,reset"}, refused, 2},
		{"retriable-4xx: 409", &conf.Retries{Attempts: 1, RetryOn: "retriable-4xx"}, errors.Conflict("C", "c"), 2},
		{"gateway-error: 500 is not", &conf.Retries{Attempts: 1, RetryOn: "gateway-error"}, errors.InternalServer("I", "i"), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bc := clientBootstrap(conf.Client{Retries: tc.retries})
			mws, err := ClientMiddleware(bc, "payments")
			if err != nil {
				t.Fatal(err)
			}
			var calls atomic.Int64
			h := chain(t, mws, func(context.Context, any) (any, error) {
				calls.Add(1)
				return nil, tc.err
			})
			h(context.Background(), nil)
			if calls.Load() != tc.want {
				t.Fatalf("tries = %d, want %d", calls.Load(), tc.want)
			}
		})
	}
}

func TestRetryPerTryTimeout(t *testing.T) {
	bc := clientBootstrap(conf.Client{
		Timeout: conf.Duration(time.Second),
		Retries: &conf.Retries{Attempts: 1, PerTryTimeout: conf.Duration(30 * time.Millisecond)},
	})
	mws, _ := ClientMiddleware(bc, "payments")
	var calls atomic.Int64
	h := chain(t, mws, func(ctx context.Context, _ any) (any, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done() // the first try hangs until its per-try deadline
			return nil, ctx.Err()
		}
		return "ok", nil
	})
	reply, err := h(context.Background(), nil)
	if err != nil || reply != "ok" || calls.Load() != 2 {
		t.Fatalf("reply %v, err %v after %d tries; want the second try to answer", reply, err, calls.Load())
	}
}

func TestClientMiddlewareNamesTheMissingDependency(t *testing.T) {
	_, err := ClientMiddleware(clientBootstrap(conf.Client{}), "paymnets")
	if err == nil || !strings.Contains(err.Error(), `client "paymnets": not in the config's clients (payments)`) {
		t.Fatalf("err = %v", err)
	}
}

func degradationBootstrap() *conf.Bootstrap {
	bc := bootstrap()
	fatal := 0.5
	bc.Degradation = &conf.Degradation{WarnAt: 0.05, DegradeAt: 0.2, FatalAt: &fatal, FallbackTo: "orders-lite",
		FallbackTimeout: conf.Duration(50 * time.Millisecond), Interval: conf.Duration(10 * time.Second), MinRequests: 20}
	return bc
}

func TestLadderLevelsFollowTheErrorRate(t *testing.T) {
	clock := newFakeClock()
	l := NewLadder(degradationBootstrap(), WithClock(clock.Now))
	fail := errors.InternalServer("X", "x")
	for range 19 {
		l.Observe(fail)
	}
	if got := l.Level(); got != Normal {
		t.Fatalf("19 requests (min 20): level %s, want NORMAL", got)
	}
	l = NewLadder(degradationBootstrap(), WithClock(clock.Now))
	observe := func(ok, failed int) {
		for range ok {
			l.Observe(nil)
		}
		for range failed {
			l.Observe(fail)
		}
	}
	observe(96, 4) // 4%
	if got := l.Level(); got != Normal {
		t.Fatalf("4%% failing: %s, want NORMAL", got)
	}
	observe(0, 2) // 6/102
	if got := l.Level(); got != Warn {
		t.Fatalf("6%% failing: %s, want WARN", got)
	}
	observe(0, 20) // 26/122
	if got := l.Level(); got != Degraded {
		t.Fatalf("21%% failing: %s, want DEGRADED", got)
	}
	observe(0, 100) // 126/222
	if got := l.Level(); got != Fatal {
		t.Fatalf("57%% failing: %s, want FATAL", got)
	}
	l.Observe(errors.BadRequest("B", "b"))
	clock.Advance(11 * time.Second)
	if got := l.Level(); got != Normal {
		t.Fatalf("after the window: %s, want NORMAL", got)
	}
}

func TestDegradedServiceAnswersFromTheFallbackWithinItsTimeout(t *testing.T) {
	clock := newFakeClock()
	bc := degradationBootstrap()
	var fallbackCalls atomic.Int64
	fallback := func(ctx context.Context, req any) (any, error) {
		fallbackCalls.Add(1)
		dl, ok := ctx.Deadline()
		if !ok || time.Until(dl) > 50*time.Millisecond {
			t.Errorf("fallback deadline %v (%v), want within fallback_timeout 50ms", dl, ok)
		}
		return "lite:" + req.(string), nil
	}
	mws, err := ServerMiddleware(bc, WithClock(clock.Now), WithFallback(fallback))
	if err != nil {
		t.Fatal(err)
	}
	var failing atomic.Bool
	var seen []Level
	var mu sync.Mutex
	h := chain(t, mws, func(ctx context.Context, req any) (any, error) {
		mu.Lock()
		seen = append(seen, LevelFromContext(ctx))
		mu.Unlock()
		if failing.Load() {
			return nil, errors.ServiceUnavailable("CIRCUITBREAKER", "payments open")
		}
		return "full:" + req.(string), nil
	})
	for range 20 {
		h(context.Background(), "1")
	}
	failing.Store(true)
	var firstFallback int
	for i := range 20 {
		reply, err := h(context.Background(), "1")
		if reply == "lite:1" {
			firstFallback = i + 1
			if err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	// 20 ok + n failed: 0.2 ≤ n/(20+n) first at n = 5; the sixth request goes to the fallback.
	if firstFallback != 6 {
		t.Fatalf("first fallback answer at failing request %d, want 6 (20%% of 25)", firstFallback)
	}
	if got := seen[len(seen)-1]; got != Warn {
		t.Fatalf("the handler saw level %s on its last call, want WARN", got)
	}
	clock.Advance(11 * time.Second)
	failing.Store(false)
	if reply, _ := h(context.Background(), "2"); reply != "full:2" {
		t.Fatalf("after the window the service serves itself again, got %v", reply)
	}
}

func TestFatalWithoutFallbackShedsRequests(t *testing.T) {
	bc := degradationBootstrap()
	bc.Degradation.MinRequests = 2
	mws, _ := ServerMiddleware(bc)
	var calls atomic.Int64
	h := chain(t, mws, flaky(&calls, func(int64) bool { return true }))
	h(context.Background(), nil)
	h(context.Background(), nil)
	_, err := h(context.Background(), nil)
	if errors.Reason(err) != "DEGRADATION_FATAL" || calls.Load() != 2 {
		t.Fatalf("err = %v after %d calls, want DEGRADATION_FATAL without calling the handler", err, calls.Load())
	}
}

func TestOptionalDependencyDegradesInsteadOfFailing(t *testing.T) {
	bc := clientBootstrap(conf.Client{Optional: true})
	bc.Clients["notifications"] = conf.Client{Optional: true}
	mws, _ := ClientMiddleware(bc, "notifications")
	var calls atomic.Int64
	h := chain(t, mws, flaky(&calls, func(int64) bool { return true }))
	reply, err := h(context.Background(), nil)
	if err != nil || reply != nil || calls.Load() != 1 {
		t.Fatalf("reply %v err %v calls %d: an optional dependency's failure must not fail the request", reply, err, calls.Load())
	}
	// While the service is DEGRADED the optional dependency is not called.
	l := NewLadder(&conf.Bootstrap{Degradation: &conf.Degradation{DegradeAt: 0.1, WarnAt: 0.05}})
	l.Observe(errors.InternalServer("X", "x"))
	ctx := withLadder(context.Background(), l)
	if _, err := h(ctx, nil); err != nil || calls.Load() != 1 {
		t.Fatalf("err %v calls %d: a DEGRADED service skips optional dependencies", err, calls.Load())
	}
	// A required one fails the request.
	bc.Clients["payments"] = conf.Client{}
	mws, _ = ClientMiddleware(bc, "payments")
	h = chain(t, mws, flaky(&calls, func(int64) bool { return true }))
	if _, err := h(ctx, nil); err == nil {
		t.Fatal("a required dependency's failure must fail the call")
	}
}

func TestClientFallbackAnswersAFailedCall(t *testing.T) {
	bc := clientBootstrap(conf.Client{CircuitBreaker: breakerConf(1, 0.5, time.Minute, time.Minute)})
	bc.Degradation = &conf.Degradation{FallbackTo: "orders-lite", FallbackTimeout: conf.Duration(40 * time.Millisecond)}
	mws, _ := ClientMiddleware(bc, "payments", WithFallback(func(ctx context.Context, _ any) (any, error) {
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > 40*time.Millisecond {
			t.Errorf("fallback deadline %v, want within 40ms", dl)
		}
		return "cached", nil
	}))
	var calls atomic.Int64
	h := chain(t, mws, flaky(&calls, func(int64) bool { return true }))
	for range 3 {
		if reply, err := h(context.Background(), nil); reply != "cached" || err != nil {
			t.Fatalf("reply %v err %v, want the fallback's answer", reply, err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("dependency called %d times; the open breaker should have stopped calls after the first", calls.Load())
	}
}

func TestCallToTheFallbackServiceIsBoundByFallbackTimeout(t *testing.T) {
	bc := bootstrap()
	bc.Clients = map[string]conf.Client{"orders-lite": {Timeout: conf.Duration(time.Second)}}
	bc.Degradation = &conf.Degradation{FallbackTo: "orders-lite", FallbackTimeout: conf.Duration(30 * time.Millisecond)}
	mws, _ := ClientMiddleware(bc, "orders-lite")
	h := chain(t, mws, func(ctx context.Context, _ any) (any, error) {
		dl, _ := ctx.Deadline()
		return time.Until(dl), nil
	})
	reply, _ := h(context.Background(), nil)
	if reply.(time.Duration) > 30*time.Millisecond {
		t.Fatalf("deadline of a call to the fallback service %s, want <= fallback_timeout 30ms", reply)
	}
}

// fakeTransport is a server transport carrying an operation, as Kratos'
// servers put one in the request context.
type fakeTransport struct {
	operation string
	header    headerCarrier
}

type headerCarrier map[string]string

func (h headerCarrier) Get(k string) string      { return h[strings.ToLower(k)] }
func (h headerCarrier) Set(k, v string)          { h[strings.ToLower(k)] = v }
func (h headerCarrier) Add(k, v string)          { h[strings.ToLower(k)] = v }
func (h headerCarrier) Keys() []string           { return nil }
func (h headerCarrier) Values(k string) []string { return []string{h[strings.ToLower(k)]} }

func (t fakeTransport) Kind() transport.Kind            { return transport.KindGRPC }
func (t fakeTransport) Endpoint() string                { return "" }
func (t fakeTransport) Operation() string               { return t.operation }
func (t fakeTransport) RequestHeader() transport.Header { return t.header }
func (t fakeTransport) ReplyHeader() transport.Header   { return headerCarrier{} }

func TestHealthChecksTakeNoTokensAndNeedNoCredentials(t *testing.T) {
	clock := newFakeClock()
	bc := bootstrap()
	bc.Middleware = append(bc.Middleware, "auth", "ratelimit")
	bc.RateLimit = &conf.RateLimit{Algorithm: "token_bucket", RPS: 1, Burst: 1}
	mws, err := ServerMiddleware(bc, WithClock(clock.Now), WithAuth(BearerToken("secret")))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	h := chain(t, mws, okHandler(&calls))
	health := transport.NewServerContext(context.Background(), fakeTransport{operation: "/grpc.health.v1.Health/Check", header: headerCarrier{}})
	for range 5 {
		if _, err := h(health, nil); err != nil {
			t.Fatalf("health check: %v", err)
		}
	}
	api := transport.NewServerContext(context.Background(), fakeTransport{operation: "/shop.orders.v1.Orders/GetOrder", header: headerCarrier{"authorization": "Bearer secret"}})
	if _, err := h(api, nil); err != nil {
		t.Fatalf("first API call: %v; health checks must not have taken the token", err)
	}
	_, err = h(api, nil)
	assertRateLimited(t, err)
	noToken := transport.NewServerContext(context.Background(), fakeTransport{operation: "/shop.orders.v1.Orders/GetOrder", header: headerCarrier{}})
	if _, err := h(noToken, nil); errors.FromError(err).Code != 401 {
		t.Fatalf("an API call without a token: %v, want 401", err)
	}
}

func TestADegradedServiceStillCallsItsFallbackEvenIfMarkedOptional(t *testing.T) {
	bc := bootstrap()
	bc.Clients = map[string]conf.Client{"orders-lite": {Optional: true}}
	bc.Degradation = &conf.Degradation{DegradeAt: 0.1, WarnAt: 0.05, FallbackTo: "orders-lite"}
	mws, _ := ClientMiddleware(bc, "orders-lite")
	h := chain(t, mws, func(context.Context, any) (any, error) { return "lite", nil })
	l := NewLadder(&conf.Bootstrap{Degradation: &conf.Degradation{DegradeAt: 0.1, WarnAt: 0.05}})
	l.Observe(errors.InternalServer("X", "x"))
	if reply, err := h(withLadder(context.Background(), l), nil); reply != "lite" || err != nil {
		t.Fatalf("reply %v err %v: while DEGRADED the fallback is what answers, so it is never skipped", reply, err)
	}
}
