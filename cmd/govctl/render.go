package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/worktree"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/targets"
)

// RenderOptions are the inputs of govctl render.
type RenderOptions struct {
	*GlobalOptions
	IO           *IOStreams
	Out          string
	Targets      []string
	Stdout       bool
	Check        bool
	Force        bool
	CanaryWeight int
	SpecDir      string
	Services     []string
}

func newRenderCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	opts := &RenderOptions{GlobalOptions: g, IO: io}
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Render Istio, Kratos, Nacos and GitHub Actions output",
		Long: `Render turns the spec into files: Istio objects and Kratos bootstrap files
per service and environment, Nacos config entries with an index and an import
bundle, and GitHub Actions workflows. Output is deterministic: the same spec
gives byte-identical files.

Files are written atomically and all-or-nothing: on any error the previous
output stays as it was. govctl records the files it writes in
<out>/.govctl-manifest.json and prunes only those; it refuses to overwrite a
file it did not write unless --force is given.

Layout under --out:
  <env>/istio/<service>.yaml, <env>/istio/namespace.yaml
  <env>/kratos/<service>/config.yaml
  <env>/nacos/<namespace>/<group>/<dataId>, <env>/nacos/index.json, <env>/nacos/import.zip
  .github/workflows/deploy-<service>.yml, .github/workflows/govctl-plan.yml

With --stdout, --service S prints S's objects together with the objects of
each environment that every service runs in (the Namespace, PeerAuthentication,
Telemetry, ServiceEntries of external dependencies), namespaces first, so that
piping it to kubectl apply deploys S into a fresh cluster. The deploy
workflows do exactly that.`,
		Example: `  govctl render --dir examples/shop --out deploy/
  govctl render --env prod --target istio --stdout
  govctl render --out deploy/ --check          # CI: exit 1 and list stale files
  govctl render --env prod --target istio --canary-weight 30 --stdout | kubectl apply -f -
  govctl render --env prod --target kubernetes --service orders --stdout | kubectl apply -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("canary-weight") {
				opts.CanaryWeight = -1
			}
			return renderRun(cmd, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Out, "out", "o", "", "output directory (required unless --stdout)")
	f.StringSliceVarP(&opts.Targets, "target", "t", nil, "targets to render: istio, kratos, nacos, github (default all)")
	f.BoolVar(&opts.Stdout, "stdout", false, "print YAML documents to stdout instead of writing files (Nacos entries only with --target nacos; never the index or zip)")
	f.BoolVar(&opts.Check, "check", false, "write nothing; exit 1 and list the files that are stale")
	f.BoolVar(&opts.Force, "force", false, "overwrite files in --out that govctl did not write")
	f.IntVar(&opts.CanaryWeight, "canary-weight", 0, "canary share (0-100) for services rolling out, instead of the environment's first step")
	f.StringSliceVar(&opts.Services, "service", nil, "with --stdout: only these services' objects and their environments' shared ones (Namespace, PeerAuthentication, Telemetry, ServiceEntries), for a pipeline deploying one service")
	f.StringVar(&opts.SpecDir, "spec-dir", "", "spec dir as the workflows should name it, relative to the repository root (default: --dir relative to the root of its git work tree)")
	return cmd
}

// renderOptions turns flags into the renderers' options; assumed reports
// that the workflows assume the spec dir is the repository root.
func (o *RenderOptions) renderOptions(dir string) (topts targets.Options, assumed bool, err error) {
	ts, err := targets.Parse(o.Targets)
	if err != nil {
		return targets.Options{}, false, err
	}
	topts, assumed = targetOptions(dir, ts)
	if o.SpecDir != "" {
		topts.GitHub.SpecDir = o.SpecDir
		assumed = false
	}
	if o.CanaryWeight >= 0 {
		if o.CanaryWeight > 100 {
			return topts, false, fmt.Errorf("--canary-weight %d is not a percentage: use 0 to 100", o.CanaryWeight)
		}
		w := o.CanaryWeight
		topts.Istio.CanaryWeight = &w
	}
	return topts, assumed, nil
}

func renderRun(cmd *cobra.Command, opts *RenderOptions) (err error) {
	if opts.Out == "" && !opts.Stdout {
		return errors.New("render needs --out DIR, or --stdout")
	}
	if opts.Out != "" && opts.Stdout {
		return errors.New("--out and --stdout exclude each other")
	}
	if len(opts.Services) > 0 && !opts.Stdout {
		// A partial write would prune the other services' files.
		return errors.New("--service works with --stdout only")
	}
	ctx := cmd.Context()
	m, err := loadModel(ctx, opts.GlobalOptions, nil)
	if err != nil {
		return err
	}
	topts, assumed, err := opts.renderOptions(m.Dir)
	if err != nil {
		return err
	}
	envs, err := envNames(m, opts.Env)
	if err != nil {
		return err
	}
	for _, s := range opts.Services {
		if _, ok := m.Services[s]; !ok {
			return fmt.Errorf("--service %s: no such service in %s%s", s, m.Dir, diag.DidYouMean(s, m.ServiceNames()))
		}
	}
	objs, err := targets.Render(ctx, m, envs, topts)
	if err != nil {
		return err
	}
	defer func() {
		// Said once the output is out, so that a failure reads alone.
		if err == nil {
			noteAssumedRoot(opts.GlobalOptions, opts.IO, m.Dir, topts, assumed)
		}
	}()
	if len(opts.Services) > 0 {
		objs = onlyServices(objs, opts.Services)
	}
	scope := render.ScopeFor(topts.Targets, opts.Env)
	if opts.Stdout {
		return writeStdout(opts.IO.Out, objs, slices.Contains(topts.Targets, render.TargetNacos))
	}
	wopts := render.WriteOptions{Scope: scope, Overwrite: opts.Force}
	if opts.Check {
		res, err := render.Check(ctx, opts.Out, objs, wopts)
		if err != nil {
			return err
		}
		if !res.Stale() {
			if !opts.Quiet {
				fmt.Fprintf(opts.IO.Out, "%s: up to date (%d files)\n", opts.Out, len(res.Unchanged))
			}
			return nil
		}
		for _, c := range res.Changes {
			fmt.Fprintf(opts.IO.Out, "%-7s %s\n", c.Kind, filepath.Join(opts.Out, filepath.FromSlash(c.Path)))
		}
		return &exitError{code: 1, err: fmt.Errorf("%s is stale: %d file(s) differ from the spec; run `govctl render --out %s`", opts.Out, len(res.Changes), opts.Out)}
	}
	res, err := render.Write(ctx, opts.Out, objs, wopts)
	if err != nil {
		return err
	}
	if !opts.Quiet {
		for _, p := range res.Created {
			fmt.Fprintf(opts.IO.Out, "created %s\n", filepath.Join(opts.Out, filepath.FromSlash(p)))
		}
		for _, p := range res.Updated {
			fmt.Fprintf(opts.IO.Out, "updated %s\n", filepath.Join(opts.Out, filepath.FromSlash(p)))
		}
		for _, p := range res.Pruned {
			fmt.Fprintf(opts.IO.Out, "pruned  %s\n", filepath.Join(opts.Out, filepath.FromSlash(p)))
		}
		fmt.Fprintf(opts.IO.Out, "Rendered %d files to %s: %d created, %d updated, %d unchanged, %d pruned.\n",
			len(res.Created)+len(res.Updated)+len(res.Unchanged), opts.Out, len(res.Created), len(res.Updated), len(res.Unchanged), len(res.Pruned))
	}
	return nil
}

// writeStdout prints the YAML files as one stream of documents, each file
// introduced by a comment naming its path. Nacos entries are in their own
// format (yaml, properties, json, text), so they are printed only when
// asked for by --target nacos, after the YAML documents, each introduced
// the same way; the index and the zip bundle are never printed. Printing
// nothing is an error: an empty stream must not look like a success.
func writeStdout(w io.Writer, objs []render.Object, withNacos bool) error {
	var docs, entries []render.Object
	for _, o := range objs {
		switch {
		case o.Target != render.TargetNacos:
			docs = append(docs, o)
		case withNacos && !o.Derived:
			entries = append(entries, o)
		}
	}
	if len(docs) == 0 && len(entries) == 0 {
		return errors.New("render --stdout has nothing to print: the spec renders no objects for these targets, environments and services")
	}
	files, err := render.EncodeObjects(docs)
	if err != nil {
		return err
	}
	// kubectl apply creates objects in the order of the stream: a namespace
	// before what lives in it, then the environment-wide objects, then the
	// services'.
	rank := map[string]int{}
	for _, o := range docs {
		r := 2
		switch {
		case o.ID.Kind == "Namespace" && o.ID.APIVersion == "v1":
			r = 0
		case o.Service == "" && o.Env != "":
			r = 1
		}
		if old, ok := rank[o.Path]; !ok || r < old {
			rank[o.Path] = r
		}
	}
	slices.SortStableFunc(files, func(a, b render.File) int { return rank[a.Path] - rank[b.Path] })
	n := 0
	print := func(path string, data []byte) error {
		if n > 0 {
			fmt.Fprintln(w, "---")
		}
		n++
		fmt.Fprintf(w, "# %s\n", path)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
		_, err := w.Write(data)
		return err
	}
	for _, f := range files {
		if err := print(f.Path, []byte(strings.TrimPrefix(string(f.Data), "---\n"))); err != nil {
			return err
		}
	}
	for _, e := range entries {
		if err := print(e.Path, slices.Clone(e.Raw)); err != nil {
			return err
		}
	}
	return nil
}

// onlyServices keeps the objects rendered for the named services and the
// environment-wide objects they run in (the Namespace, PeerAuthentication,
// Telemetry, ServiceEntries): a deploy that applies one service's output
// into a fresh cluster must find its namespace there. Objects that span
// environments (the plan workflow) belong to no service and are dropped.
func onlyServices(objs []render.Object, services []string) []render.Object {
	var out []render.Object
	for _, o := range objs {
		if slices.Contains(services, o.Service) || (o.Service == "" && o.Env != "") {
			out = append(out, o)
		}
	}
	return out
}

// targetOptions renders targets (all when empty) of the spec in dir, with
// workflows naming the spec dir relative to the root of the git work tree
// that holds it, however dir was given (absolute, relative, "..", from
// inside the spec dir), so that the same spec renders the same workflows
// wherever govctl runs. Outside a work tree the spec dir is assumed to be
// the repository root; assumed reports that, for the commands that show
// workflows to say so (noteAssumedRoot).
func targetOptions(dir string, ts []render.Target) (topts targets.Options, assumed bool) {
	topts = targets.Options{Targets: ts}
	loc, err := worktree.Locate(dir)
	if err != nil {
		topts.GitHub.SpecDir = "."
		return topts, true
	}
	topts.GitHub.SpecDir = loc.Rel
	return topts, false
}

// noteAssumedRoot says on stderr, once the render succeeded, that the
// workflows about to be shown or written assume the spec dir is the repository root, when they do.
func noteAssumedRoot(g *GlobalOptions, io *IOStreams, dir string, topts targets.Options, assumed bool) {
	if !assumed || g.Quiet || (len(topts.Targets) > 0 && !slices.Contains(topts.Targets, render.TargetGitHub)) {
		return
	}
	fmt.Fprintf(io.ErrOut, "govctl: note: %s is not in a git work tree: the workflows assume it is the repository root (if not, pass --spec-dir with its path in the repository)\n", dir)
}

// specDirOptions is targetOptions for every target, for the commands that
// render without showing the workflows (validate, lint, plan).
func specDirOptions(dir string) targets.Options {
	topts, _ := targetOptions(dir, nil)
	return topts
}
