package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/govctl/govctl/gate"
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
	res, err := gate.CheckService(ctx, r, opts.Service, gate.ServiceOptions{
		PrometheusURL: opts.Prometheus,
		MaxErrorRate:  opts.MaxErrorRate,
		Window:        opts.Window,
		Query:         opts.Query,
		BearerToken:   os.Getenv("PROMETHEUS_TOKEN"),
	})
	if err != nil {
		return err
	}
	verdict := "pass"
	if !res.Passed {
		verdict = "FAIL"
	}
	fmt.Fprintf(opts.IO.Out, "%s: %s/%s %s error rate %.4f%% (limit %.4f%% from %s)\n",
		verdict, res.Service, res.Env, res.Version, res.ErrorRate*100, res.Limit*100, res.LimitFrom)
	if !opts.Quiet {
		fmt.Fprintf(opts.IO.Out, "query: %s\n", res.Query)
	}
	if !res.Passed {
		return &exitError{code: 1, err: fmt.Errorf("gate %s/%s: error rate %.4f%% is above %.4f%%: roll back", res.Service, res.Env, res.ErrorRate*100, res.Limit*100)}
	}
	return nil
}
