// Package targets is the list of govctl's renderers and the one function
// that renders a model with them, shared by `govctl render`, `govctl plan`
// (both sides of a change must render alike) and `govctl lint` (rules that
// read rendered objects).
package targets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/github"
	"github.com/govctl/govctl/render/istio"
	"github.com/govctl/govctl/render/kratos"
	"github.com/govctl/govctl/render/kubernetes"
	"github.com/govctl/govctl/render/nacos"
	"github.com/govctl/govctl/schema"
)

// Options choose and tune the renderers.
type Options struct {
	// Targets to render; all of render.AllTargets() when empty.
	Targets []render.Target
	Istio   istio.Options
	GitHub  github.Renderer
}

// Parse turns a comma-separated or repeated --target value into targets,
// in canonical order, without duplicates.
func Parse(values []string) ([]render.Target, error) {
	want := map[render.Target]bool{}
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			t := render.Target(name)
			if !known(t) {
				return nil, fmt.Errorf("unknown target %q (targets: %s)%s", name, names(), diag.DidYouMean(name, strings.Split(names(), ", ")))
			}
			want[t] = true
		}
	}
	var out []render.Target
	for _, t := range render.AllTargets() {
		if want[t] {
			out = append(out, t)
		}
	}
	return out, nil
}

func known(t render.Target) bool { return slices.Contains(render.AllTargets(), t) }

func names() string {
	all := render.AllTargets()
	s := make([]string, len(all))
	for i, t := range all {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// Renderers returns the renderers opts selects, in canonical order.
func Renderers(opts Options) []render.Renderer {
	all := []render.Renderer{
		kubernetes.Renderer{},
		istio.Renderer{Options: opts.Istio},
		kratos.Renderer{},
		nacos.Renderer{},
		opts.GitHub,
	}
	if len(opts.Targets) == 0 {
		return all
	}
	var out []render.Renderer
	for _, r := range all {
		for _, t := range opts.Targets {
			if r.Target() == t {
				out = append(out, r)
			}
		}
	}
	return out
}

// Render renders envs of m with every selected renderer, the renderers
// running concurrently, and returns their objects in canonical target
// order. All renderers' errors are returned together.
func Render(ctx context.Context, m *schema.Model, envs []string, opts Options) ([]render.Object, error) {
	rs := Renderers(opts)
	results := make([][]render.Object, len(rs))
	errs := make([]error, len(rs))
	var g errgroup.Group
	g.SetLimit(len(rs))
	for i, r := range rs {
		g.Go(func() error {
			objs, err := r.Render(ctx, m, envs)
			if err != nil {
				errs[i] = err
				return nil
			}
			results[i] = objs
			return nil
		})
	}
	g.Wait()
	var out []render.Object
	var failed []error
	for i := range rs {
		if errs[i] != nil {
			failed = append(failed, errs[i])
		}
		out = append(out, results[i]...)
	}
	if len(failed) > 0 {
		return nil, errors.Join(failed...)
	}
	return out, nil
}

// Validate renders envs of m with every selected renderer and encodes the
// result, in memory, writing nothing: the check behind `govctl validate`.
// A spec that passes Validate renders, because the renderers refuse, at the
// spec field, every value their target cannot express.
func Validate(ctx context.Context, m *schema.Model, envs []string, opts Options) error {
	objs, err := Render(ctx, m, envs, opts)
	if err != nil {
		return err
	}
	if _, err := render.EncodeObjects(objs); err != nil {
		return fmt.Errorf("encode rendered objects: %w", err)
	}
	return nil
}
