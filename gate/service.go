package gate

import (
	"context"
	"fmt"
	"time"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/schema"
)

// ServiceOptions are the inputs of CheckService beyond the spec.
type ServiceOptions struct {
	// PrometheusURL is the server's base URL.
	PrometheusURL string
	// MaxErrorRate, when greater than 0, replaces the spec's limit.
	MaxErrorRate float64
	// Window, when greater than 0, replaces the spec's window.
	Window time.Duration
	// Query, when set, replaces the generated PromQL (see Options.Query).
	Query string
	// BearerToken authenticates to Prometheus.
	BearerToken string
}

// ServiceResult is a completed measurement of one service in one
// environment, with the limit it was held to and where that limit was set.
type ServiceResult struct {
	Result
	// Service, Env and Version name what was measured.
	Service, Env, Version string
	// Limit is the error rate the service had to stay under; LimitFrom is
	// where it was set: "--max-error-rate" (ServiceOptions.MaxErrorRate), a
	// spec field, or "default".
	Limit     float64
	LimitFrom string
}

// CheckService is `govctl gate`: it measures the current version of service
// in r's environment against the spec's limit, over the spec's window and
// metric (schema.Resolved.GateLimit, GateWindow, GateMetric), unless opts
// overrides them. Like Check, it fails closed: an error means the rate could
// not be measured; ServiceResult.Passed false means it is over the limit.
func CheckService(ctx context.Context, r *schema.Resolved, service string, opts ServiceOptions) (ServiceResult, error) {
	svc, ok := r.Services[service]
	if !ok {
		return ServiceResult{}, fmt.Errorf("unknown service %q%s", service, diag.DidYouMean(service, r.ServiceNames()))
	}
	env := r.Environment
	limit := r.GateLimit(svc)
	res := ServiceResult{Service: svc.Name, Env: env.Name, Version: svc.Version, Limit: limit.Value, LimitFrom: limit.From()}
	if opts.MaxErrorRate > 0 {
		res.Limit, res.LimitFrom = opts.MaxErrorRate, "--max-error-rate"
	}
	window := opts.Window
	if window <= 0 {
		window = r.GateWindow().Value
	}
	check, err := Check(ctx, Options{
		PrometheusURL: opts.PrometheusURL,
		Namespace:     env.Namespace,
		Service:       svc.Name,
		Version:       svc.Version,
		Metric:        r.GateMetric().Value,
		Window:        window,
		Query:         opts.Query,
		MaxErrorRate:  res.Limit,
		BearerToken:   opts.BearerToken,
	})
	res.Result = check
	if err != nil {
		return res, fmt.Errorf("gate %s/%s failed closed: %w", svc.Name, env.Name, err)
	}
	return res, nil
}
