package kit

import (
	"context"
	stderrors "errors"
	"fmt"

	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/sony/gobreaker/v2"

	"github.com/govctl/govctl/render/kratos/conf"
)

// halfOpenProbes is how many calls a half-open breaker lets through; one
// failure among them opens it again, all of them succeeding closes it.
const halfOpenProbes = 1

// newBreaker is the spec's breaker, sony/gobreaker's state machine: closed
// until, in the current interval (a fixed window, cleared every interval
// while closed), at least min_requests calls were made and the share that
// failed (IsFailure) is at least error_threshold; then open for timeout,
// failing every call fast; then half-open, letting halfOpenProbes probes
// through. A caller's cancellation counts neither way.
func newBreaker(name string, cb conf.CircuitBreaker, onChange func(from, to gobreaker.State)) *gobreaker.CircuitBreaker[any] {
	minRequests := uint32(max(cb.MinRequests, 1))
	return gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:        name,
		MaxRequests: halfOpenProbes,
		Interval:    cb.Interval.Std(),
		Timeout:     cb.Timeout.Std(),
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.Requests >= minRequests && float64(c.TotalFailures) >= cb.ErrorThreshold*float64(c.Requests)
		},
		IsSuccessful: func(err error) bool { return !IsFailure(err) },
		IsExcluded:   func(err error) bool { return stderrors.Is(err, context.Canceled) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			onChange(from, to)
		},
	})
}

// breakerStep fails calls fast with ErrCircuitOpen while the breaker is open.
func breakerStep(bc *conf.Bootstrap, dep string, cb conf.CircuitBreaker, m *metrics, logger log.Logger) middleware.Middleware {
	gauge := m.breakerState.WithLabelValues(bc.Service.Name, dep)
	gauge.Set(float64(gobreaker.StateClosed))
	helper := log.NewHelper(logger)
	b := newBreaker(dep, cb, func(from, to gobreaker.State) {
		gauge.Set(float64(to))
		helper.Warnf("circuit breaker to %s: %s -> %s", dep, from, to)
	})
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			reply, err := b.Execute(func() (any, error) { return next(ctx, req) })
			if stderrors.Is(err, gobreaker.ErrOpenState) || stderrors.Is(err, gobreaker.ErrTooManyRequests) {
				return nil, ErrCircuitOpen.WithCause(fmt.Errorf("%s: %w", dep, err))
			}
			return reply, err
		}
	}
}
