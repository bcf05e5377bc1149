package kit

import (
	"context"
	stderrors "errors"

	"github.com/go-kratos/kratos/v2/errors"
)

// The errors kit's chains answer with, as Kratos errors: HTTP carries the
// code, gRPC the status Kratos maps it to (429 → ResourceExhausted,
// 503 → Unavailable), and both carry the reason.
var (
	// ErrRateLimited rejects a request beyond the rate limit. It is the
	// error of Kratos' own ratelimit middleware, so clients that already
	// recognise that one recognise kit's.
	ErrRateLimited = errors.New(429, "RATELIMIT", "service unavailable due to rate limit exceeded")
	// ErrCircuitOpen fails a call fast while its breaker is open (or
	// half-open with its probes in flight). It is the error of Kratos' own
	// circuitbreaker middleware.
	ErrCircuitOpen = errors.New(503, "CIRCUITBREAKER", "request failed due to circuit breaker triggered")
	// ErrFatal sheds a request while the service is at FATAL and has no
	// fallback.
	ErrFatal = errors.New(503, "DEGRADATION_FATAL", "service is at degradation level FATAL")
)

// IsFailure reports whether err counts against a dependency's breaker and
// the service's degradation ladder: a server-side error (code 5xx, a gRPC
// status mapped to one, a transport error, a deadline), but neither a
// client error (4xx: the request was wrong, not the server) nor the
// caller's own cancellation.
func IsFailure(err error) bool {
	if err == nil || stderrors.Is(err, context.Canceled) {
		return false
	}
	if stderrors.Is(err, context.DeadlineExceeded) {
		return true
	}
	return errors.FromError(err).Code >= 500
}
