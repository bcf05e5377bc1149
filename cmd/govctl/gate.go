package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/govctl/govctl/render/github/gate"
	"github.com/govctl/govctl/schema"
)

// GateOptions are the inputs of govctl gate.
type GateOptions struct {
	*GlobalOptions
	IO           *IOStreams
	Prometheus   string
	Service      string
	MaxErrorRate float64
	Window       time.Duration
	Query        string
}

// defaultMaxErrorRate is the schema's default canary.maxErrorRate, used by
// environments without a canary block (staging's metric gate).
const defaultMaxErrorRate = 0.005

func newGateCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	opts := &GateOptions{GlobalOptions: g, IO: io}
	cmd := &cobra.Command{
		Use:   "gate --service S --env E --prometheus URL",
		Short: "Canary metric gate: exit 1 when the error rate is above the spec's limit",
		Long: `Gate asks Prometheus for the 5xx rate of a service's current version in an
environment (Istio's istio_requests_total over the canary interval) and exits 1
when it is above the limit: --max-error-rate, else the environment's
canary.maxErrorRate, else the service's slo.errorRate, else 0.5 %.
It fails closed: no data, no traffic, a query error or an unreachable
Prometheus all exit 1. PROMETHEUS_TOKEN, when set, is sent as a bearer token.`,
		Example: `  govctl gate --service orders --env prod --prometheus http://prometheus:9090
  govctl gate --service orders --env staging --prometheus "$PROMETHEUS_URL" --window 10m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return gateRun(cmd, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.Prometheus, "prometheus", "", "Prometheus base URL (required)")
	f.StringVar(&opts.Service, "service", "", "service to gate (required)")
	f.Float64Var(&opts.MaxErrorRate, "max-error-rate", 0, "limit as a ratio (0.005 is 0.5 %); default from the spec")
	f.DurationVar(&opts.Window, "window", 0, "rate window (default the environment's canary interval, else 5m)")
	f.StringVar(&opts.Query, "query", "", "PromQL returning one ratio, replacing the default query")
	return cmd
}

// gateLimit picks the error-rate limit and says where it came from.
func gateLimit(flag float64, env *schema.Environment, svc *schema.Service) (float64, string) {
	switch {
	case flag > 0:
		return flag, "--max-error-rate"
	case env.Canary != nil:
		return env.Canary.MaxErrorRate, "environments." + env.Name + ".canary.maxErrorRate"
	case svc.SLO.ErrorRate > 0:
		return svc.SLO.ErrorRate, "services." + svc.Name + ".slo.errorRate"
	}
	return defaultMaxErrorRate, "default"
}

func gateRun(cmd *cobra.Command, opts *GateOptions) error {
	if opts.Prometheus == "" || opts.Service == "" || opts.Env == "" {
		return errors.New("gate needs --prometheus URL, --service and --env")
	}
	ctx := cmd.Context()
	m, err := loadModel(ctx, opts.GlobalOptions, nil)
	if err != nil {
		return err
	}
	r, err := m.Resolve(opts.Env)
	if err != nil {
		return err
	}
	svc, ok := r.Services[opts.Service]
	if !ok {
		return fmt.Errorf("unknown service %q", opts.Service)
	}
	limit, from := gateLimit(opts.MaxErrorRate, r.Environment, svc)
	window := opts.Window
	if window == 0 && r.Environment.Canary != nil {
		window = r.Environment.Canary.Interval.D()
	}
	gopts := gate.Options{
		PrometheusURL: opts.Prometheus,
		Namespace:     r.Environment.Namespace,
		Service:       svc.Name,
		Version:       svc.Version,
		Window:        window,
		Query:         opts.Query,
		MaxErrorRate:  limit,
		BearerToken:   os.Getenv("PROMETHEUS_TOKEN"),
	}
	if r.Environment.Canary != nil {
		gopts.Metric = r.Environment.Canary.Metric
	}
	res, err := gate.Check(ctx, gopts)
	if err != nil {
		return fmt.Errorf("gate %s/%s failed closed: %w", svc.Name, opts.Env, err)
	}
	verdict := "pass"
	if !res.Passed {
		verdict = "FAIL"
	}
	fmt.Fprintf(opts.IO.Out, "%s: %s/%s %s error rate %.4f%% (limit %.4f%% from %s)\n",
		verdict, svc.Name, opts.Env, svc.Version, res.ErrorRate*100, limit*100, from)
	if !opts.Quiet {
		fmt.Fprintf(opts.IO.Out, "query: %s\n", res.Query)
	}
	if !res.Passed {
		return &exitError{code: 1, err: fmt.Errorf("gate %s/%s: error rate %.4f%% is above %.4f%%: roll back", svc.Name, opts.Env, res.ErrorRate*100, limit*100)}
	}
	return nil
}
