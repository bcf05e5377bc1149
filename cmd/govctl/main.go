// Command govctl is governance-as-code for Go microservice platforms: it
// validates CUE specs of services, environments and policies, lints them
// against Rego rules, renders Istio, Kratos, Nacos and GitHub Actions
// output, and plans what a change will do.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/fatih/color"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/govctl/govctl/internal/diag"
)

func main() {
	os.Exit(run(os.Args[1:], &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, IsTerminal: term.IsTerminal(int(os.Stdout.Fd()))}))
}

// IOStreams are where a command reads and writes; tests pass buffers.
type IOStreams struct {
	In         io.Reader
	Out        io.Writer
	ErrOut     io.Writer
	IsTerminal bool

	// flushers end the Scrubbers scrubSecrets puts in front of Out and
	// ErrOut.
	flushers []func() error
}

// GlobalOptions are the flags every command shares.
type GlobalOptions struct {
	Dir     string
	Env     string
	NoColor bool
	Quiet   bool
	// NoCache loads the spec without reading or writing the model cache.
	NoCache bool
	// CPUProfile is where a CPU profile of the command is written (hidden
	// flag, for performance work).
	CPUProfile string
	// stopProfile ends the CPU profile; nil when none is running.
	stopProfile func()
}

// exitError carries an exit code other than 1 (plan's 2 for changes) or a
// failure that was already reported and needs no further message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

// errSilent is a failure the command has already printed.
var errSilent = &exitError{code: 1}

func run(args []string, io *IOStreams) int {
	g := &GlobalOptions{}
	defer io.flush()
	// The token of every GitHub call never reaches an output, whatever an
	// API error or a command prints.
	if token := os.Getenv("GITHUB_TOKEN"); token != "" {
		io.scrubSecrets([]string{token})
	}
	root := newRootCmd(g, io)
	root.SetArgs(args)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	err := root.Execute()
	if g.stopProfile != nil {
		g.stopProfile()
	}
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			printError(io, g, ee.err)
		}
		return ee.code
	}
	printError(io, g, err)
	return 1
}

// printError prints an error. The user's mistakes (every *diag.Diagnostic
// in it, found through errors.As) print one a line, sorted by position,
// then a count; any other error is prefixed with the program name.
func printError(io *IOStreams, g *GlobalOptions, err error) {
	var diags []*diag.Diagnostic
	var other []error
	for _, e := range flatten(err) {
		if ds := diag.As(e); len(ds) > 0 {
			if c := wrapperContext(e); c != "" {
				other = append(other, errors.New(c))
			}
			diags = append(diags, ds...)
			continue
		}
		other = append(other, e)
	}
	for _, e := range other {
		fmt.Fprintln(io.ErrOut, "govctl: "+e.Error())
	}
	if len(diags) == 0 {
		return
	}
	// Positions are joined to their lists' spec dirs already; one list
	// sorts them and merges a mistake two renderers report alike.
	all := &diag.List{Diags: diags}
	_ = all.Err()
	for _, d := range all.Diags {
		fmt.Fprintln(io.ErrOut, d.Error())
	}
	errs, warnings := diag.Count(all.Diags)
	summary := fmt.Sprintf("%d error%s", errs, plural(errs))
	if warnings > 0 {
		summary += fmt.Sprintf(", %d warning%s", warnings, plural(warnings))
	}
	fmt.Fprintln(io.ErrOut, summary)
}

// wrapperContext is what an error wrapping diagnostics says before them (the
// specs at origin/main are invalid: …), or "" when it adds nothing. The
// wrapper composed its message from the wrapped one, so removing that
// leaves its own words.
func wrapperContext(err error) string {
	inner := err
	for {
		switch inner.(type) {
		case *diag.List, *diag.Diagnostic:
		default:
			u, ok := inner.(interface{ Unwrap() error })
			if !ok {
				return ""
			}
			inner = u.Unwrap()
			continue
		}
		break
	}
	if inner == err {
		return ""
	}
	msg, _ := strings.CutSuffix(err.Error(), inner.Error())
	return strings.TrimSuffix(strings.TrimSpace(msg), ":")
}

// flatten unwraps errors.Join trees into their leaves; a *diag.List is
// one leaf.
func flatten(err error) []error {
	if _, ok := err.(*diag.List); ok {
		return []error{err}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// startCPUProfile starts a CPU profile written to path and returns the
// function that stops it and closes the file.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

const rootLong = `govctl is governance-as-code for Go microservice platforms.

A platform team describes its services, environments and policies as CUE
specs. govctl validates them, lints them against Rego rules, renders them
into Istio, Kratos, Nacos and GitHub Actions output, and plans what a
change will do.

Exit codes:
  0  success (for plan --detailed-exitcode: no changes)
  1  failure: an invalid spec, a lint finding at or above --fail-on, an error
  2  plan --detailed-exitcode only: the plan has changes

Environment:
  NO_COLOR        disables colour, as --no-color does
  GITHUB_TOKEN    token for PR comments and apply github
  GITHUB_API_URL  GitHub API base (GitHub Enterprise), set by Actions`

func newRootCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "govctl",
		Short: "Governance-as-code for Go microservice platforms",
		Long:  rootLong,
		Example: `  govctl init my-platform
  govctl validate --dir examples/shop
  govctl explain orders --env prod
  govctl render --out deploy/
  govctl lint --env prod --format sarif > lint.sarif
  govctl plan --base origin/main`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if g.NoColor || os.Getenv("NO_COLOR") != "" || !io.IsTerminal {
				color.NoColor = true
			}
			if g.CPUProfile != "" {
				stop, err := startCPUProfile(g.CPUProfile)
				if err != nil {
					return err
				}
				g.stopProfile = stop
			}
			return nil
		},
	}
	root.CompletionOptions.HiddenDefaultCmd = false
	f := root.PersistentFlags()
	f.StringVar(&g.Dir, "dir", ".", "`DIR` holding the spec")
	f.StringVar(&g.Env, "env", "", "environment `NAME` (default: all environments)")
	f.BoolVar(&g.NoColor, "no-color", false, "disable colour (also NO_COLOR)")
	f.BoolVarP(&g.Quiet, "quiet", "q", false, "print only errors")
	f.BoolVar(&g.NoCache, "no-cache", false, "neither read nor write the cache of loaded specs (under the user cache dir)")
	f.StringVar(&g.CPUProfile, "cpuprofile", "", "write a CPU profile of the command to `file`")
	_ = f.MarkHidden("cpuprofile")
	root.AddCommand(
		newValidateCmd(g, io),
		newRenderCmd(g, io),
		newLintCmd(g, io),
		newRulesCmd(g, io),
		newTestCmd(g, io),
		newPlanCmd(g, io),
		newDiffCmd(g, io),
		newApplyCmd(g, io),
		newGateCmd(g, io),
		newApprovalsCmd(g, io),
		newExplainCmd(g, io),
		newSchemaCmd(g, io),
		newInitCmd(g, io),
		newVersionCmd(io),
	)
	registerCompletions(root, g)
	return root
}
