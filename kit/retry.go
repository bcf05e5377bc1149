package kit

import (
	"context"
	stderrors "errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/go-kratos/kratos/v2/errors"
	"github.com/go-kratos/kratos/v2/middleware"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/govctl/govctl/render/kratos/conf"
)

// defaultRetryOn is what retry_on means when empty (conf.Retries).
const defaultRetryOn = "5xx,reset,connect-failure"

// Envoy's default retry back-off: 25ms base interval, at most 10 times it,
// full jitter.
const (
	retryBaseInterval = 25 * time.Millisecond
	retryMaxInterval  = 250 * time.Millisecond
)

// retryStep retries a failed call attempts times, each try under
// per_try_timeout, when its error matches retry_on (Envoy's
// x-envoy-retry-on vocabulary, mapped onto Kratos and gRPC errors). It is in
// the chain only when the bootstrap has clients.<dep>.retries, which it has
// only when the platform gives retries to the application rather than to
// the mesh: two layers retrying multiply each other's attempts.
func retryStep(r conf.Retries) middleware.Middleware {
	on := r.RetryOn
	if on == "" {
		on = defaultRetryOn
	}
	conds := map[string]bool{}
	for _, c := range strings.Split(on, ",") {
		conds[strings.TrimSpace(c)] = true
	}
	perTry := r.PerTryTimeout.Std()
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			for attempt := 0; ; attempt++ {
				tctx, cancel := ctx, context.CancelFunc(func() {})
				if perTry > 0 {
					tctx, cancel = context.WithTimeout(ctx, perTry)
				}
				reply, err := next(tctx, req)
				perTryExpired := tctx.Err() != nil && ctx.Err() == nil
				cancel()
				if err == nil || attempt >= r.Attempts || ctx.Err() != nil || !retriable(err, perTryExpired, conds) {
					return reply, err
				}
				backoff := rand.N(min(retryBaseInterval<<attempt, retryMaxInterval)) + 1
				t := time.NewTimer(backoff)
				select {
				case <-ctx.Done():
					t.Stop()
					return reply, err
				case <-t.C:
				}
			}
		}
	}
}

// retriable maps a failed try onto Envoy's retry conditions.
func retriable(err error, perTryExpired bool, on map[string]bool) bool {
	connect, reset := isConnectFailure(err), isReset(err)
	code := errors.FromError(err).Code
	if perTryExpired || stderrors.Is(err, context.DeadlineExceeded) {
		code = 504
	}
	st, isStatus := status.FromError(err)
	switch {
	case on["connect-failure"] && connect,
		on["reset"] && reset,
		on["5xx"] && (code >= 500 || connect || reset),
		on["gateway-error"] && (code == 502 || code == 503 || code == 504 || connect || reset),
		on["retriable-4xx"] && code == 409:
		return true
	}
	if isStatus {
		switch st.Code() {
		case codes.Canceled:
			return on["cancelled"]
		case codes.DeadlineExceeded:
			return on["deadline-exceeded"]
		case codes.Internal:
			return on["internal"]
		case codes.ResourceExhausted:
			return on["resource-exhausted"]
		case codes.Unavailable:
			return on["unavailable"]
		}
	}
	return false
}

// isConnectFailure is a call that never reached the server: refused, or
// failed while dialling (gRPC reports both as Unavailable with the dial
// error in its message).
func isConnectFailure(err error) bool {
	if stderrors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	if stderrors.As(err, &op) && op.Op == "dial" {
		return true
	}
	if st, ok := status.FromError(err); ok && st.Code() == codes.Unavailable {
		m := st.Message()
		return strings.Contains(m, "connection refused") || strings.Contains(m, "while dialing") || strings.Contains(m, "no such host")
	}
	return false
}

// isReset is a connection that broke during the call.
func isReset(err error) bool {
	if stderrors.Is(err, syscall.ECONNRESET) || stderrors.Is(err, io.ErrUnexpectedEOF) || stderrors.Is(err, syscall.EPIPE) {
		return true
	}
	if st, ok := status.FromError(err); ok && st.Code() == codes.Unavailable {
		m := st.Message()
		return strings.Contains(m, "connection reset") || strings.Contains(m, "EOF") || strings.Contains(m, "connection closed")
	}
	return false
}
