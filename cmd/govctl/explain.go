package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/schema"
)

// ExplainOptions are the inputs of govctl explain.
type ExplainOptions struct {
	*GlobalOptions
	IO      *IOStreams
	Service string
	Format  string
	// ShowSensitive prints secrets' values instead of secret.Marker.
	ShowSensitive bool
}

func newExplainCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	opts := &ExplainOptions{GlobalOptions: g, IO: io}
	cmd := &cobra.Command{
		Use:   "explain <service> --env <env>",
		Short: "Show every resolved field of a service and the file:line that set it",
		Long: `Explain resolves a service for one environment and prints each field with
its value and where it came from, lowest precedence first:
schema default < platform.defaults < environments.<env>.defaults <
services.<name> < services.<name>.env.<env>.

Secrets (config values under keys the secret rule GOV-SEC-003 treats as
secrets or config.sensitive lists) print as "(sensitive value)";
--show-sensitive prints them.`,
		Example: `  govctl explain orders --env prod
  govctl explain orders --env dev --format json
  govctl explain orders --env prod --show-sensitive`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			m, err := loadModel(cmd.Context(), g, nil)
			if err != nil || len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return m.ServiceNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return explainWhat(cmd, g)
			}
			opts.Service = args[0]
			return explainRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVar(&opts.ShowSensitive, "show-sensitive", false, "show the values of secrets (config keys GOV-SEC-003 or config.sensitive name) instead of "+secret.Marker)
	return cmd
}

type explainJSON struct {
	Path   string          `json:"path"`
	Value  json.RawMessage `json:"value"`
	Layer  string          `json:"layer"`
	Source string          `json:"source,omitempty"`
}

func explainRun(cmd *cobra.Command, opts *ExplainOptions) error {
	if opts.Env == "" {
		return fmt.Errorf("explain needs an environment: add --env <name>")
	}
	if opts.Format != "text" && opts.Format != "json" {
		return fmt.Errorf("unknown --format %q: use text or json%s", opts.Format, diag.DidYouMean(opts.Format, []string{"text", "json"}))
	}
	m, err := loadModel(cmd.Context(), opts.GlobalOptions, nil)
	if err != nil {
		return err
	}
	lines, err := m.Explain(opts.Service, opts.Env)
	if err != nil {
		return err
	}
	if !opts.ShowSensitive {
		secrets, err := modelSecrets(opts.IO, m)
		if err != nil {
			return err
		}
		for i := range lines {
			lines[i].Value = redactExplained(secrets, opts.Service, lines[i])
		}
	}
	layer := func(o schema.Origin) string {
		switch o.Layer {
		case schema.LayerEnvironment:
			return "environments." + opts.Env + ".defaults"
		case schema.LayerOverlay:
			return "services." + opts.Service + ".env." + opts.Env
		case schema.LayerService:
			return "services." + opts.Service
		}
		return o.Layer.String()
	}
	if opts.Format == "json" {
		out := make([]explainJSON, 0, len(lines))
		for _, l := range lines {
			j := explainJSON{Path: l.Path.String(), Value: json.RawMessage(l.Value), Layer: layer(l.Origin)}
			if l.Origin.Pos.IsValid() {
				j.Source = l.Origin.Pos.In(m.Dir).String()
			}
			out = append(out, j)
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	spec := m.Services[opts.Service]
	fmt.Fprintf(opts.IO.Out, "%s in %s (%s)\n\n", color.New(color.Bold).Sprint(opts.Service), opts.Env, spec.Pos.In(m.Dir))
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIELD\tVALUE\tSET BY\tAT")
	overlay := color.New(color.FgYellow)
	for _, l := range lines {
		at := ""
		if l.Origin.Pos.IsValid() {
			at = l.Origin.Pos.In(m.Dir).String()
		}
		by := layer(l.Origin)
		if l.Origin.Layer == schema.LayerOverlay {
			by = overlay.Sprint(by)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Path, l.Value, by, at)
	}
	return tw.Flush()
}

// explainWhat is the error of explain without a service: it names what to
// pass and the services there are.
func explainWhat(cmd *cobra.Command, g *GlobalOptions) error {
	m, err := loadModel(cmd.Context(), g, nil)
	if err != nil {
		return fmt.Errorf("explain needs a service: govctl explain <service> --env <env>: %w", err)
	}
	env := g.Env
	if env == "" {
		env = "<env>"
	}
	return fmt.Errorf("explain needs a service: govctl explain <service> --env %s\nservices: %s\nenvironments: %s",
		env, strings.Join(m.ServiceNames(), ", "), strings.Join(m.EnvironmentNames(), ", "))
}

// redactExplained returns the value of an explain line (JSON text) with
// every sensitive leaf replaced by secret.Marker.
func redactExplained(secrets *secret.Matcher, service string, l schema.ExplainLine) string {
	var v any
	if err := json.Unmarshal([]byte(l.Value), &v); err != nil {
		return l.Value
	}
	r := secrets.Redact(service, l.Path, v)
	if reflect.DeepEqual(r, v) {
		return l.Value
	}
	b, err := json.Marshal(r)
	if err != nil {
		return strconv.Quote(secret.Marker)
	}
	return string(b)
}
