package main

import (
	"context"
	"testing"

	"github.com/go-kratos/kratos/v2/errors"

	"github.com/govctl/govctl/render/kratos/conf"
)

func okHandler(context.Context, any) (any, error) { return "ok", nil }

func TestTokenBucketRejectsBeyondBurst(t *testing.T) {
	// 1 rps: the bucket does not refill noticeably during the test.
	h := rateLimit(conf.RateLimit{Algorithm: "token_bucket", RPS: 1, Burst: 3})(okHandler)
	for i := range 3 {
		if _, err := h(context.Background(), nil); err != nil {
			t.Fatalf("request %d within the burst: %v", i+1, err)
		}
	}
	_, err := h(context.Background(), nil)
	if e := errors.FromError(err); e == nil || e.Code != 429 || e.Reason != "RATELIMIT" {
		t.Fatalf("request beyond the burst: %v, want 429 RATELIMIT", err)
	}
}

func TestLeakyBucketRejectsWhatWouldWaitTooLong(t *testing.T) {
	// 1 rps with room for no waiting request: the first passes, the next
	// would wait a second and is refused at once.
	h := rateLimit(conf.RateLimit{Algorithm: "leaky_bucket", RPS: 1, Burst: 0})(okHandler)
	if _, err := h(context.Background(), nil); err != nil {
		t.Fatalf("first request: %v", err)
	}
	if _, err := h(context.Background(), nil); errors.FromError(err).GetCode() != 429 {
		t.Fatalf("second request: %v, want 429", err)
	}
}

func TestRatelimitMiddlewareNeedsRateLimitConfig(t *testing.T) {
	bc := &conf.Bootstrap{Middleware: []string{"recovery", "ratelimit"}}
	if _, err := serverMiddleware(bc, nil, &telemetry{}, ""); err == nil {
		t.Fatal("ratelimit without rate_limit accepted")
	}
}

func TestEveryMiddlewareTheSchemaAllowsIsKnown(t *testing.T) {
	// #Middleware in the govctl schema.
	all := []string{"recovery", "tracing", "logging", "metrics", "auth", "ratelimit", "validate", "circuitbreaker", "metadata"}
	tel, err := newTelemetry(context.Background(), &conf.Bootstrap{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tel.shutdown(context.Background())
	bc := &conf.Bootstrap{Middleware: all, RateLimit: &conf.RateLimit{Algorithm: "token_bucket", RPS: 10, Burst: 10}}
	chain, err := serverMiddleware(bc, nil, tel, "t")
	if err != nil {
		t.Fatal(err)
	}
	// circuitbreaker is client middleware and adds nothing to the server.
	if len(chain) != len(all)-1 {
		t.Errorf("chain has %d middleware for %d names", len(chain), len(all))
	}
}
