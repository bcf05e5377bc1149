package lint

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"golang.org/x/sync/errgroup"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// DefaultTimeout bounds the evaluation of all environments when
// Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Options control a lint run.
type Options struct {
	// Environments are the environments to lint; every environment, in
	// promotion order, when empty.
	Environments []string
	// Now is the time rules see as input.now and exceptions expire by;
	// the current time when zero.
	Now time.Time
	// Objects are the rendered objects of the model. Rules with scope
	// objects run only when Objects is not nil.
	Objects []render.Object
	// Files limits the reported findings to those about these files (and
	// those of custom policies defined in them), as a pre-commit hook
	// passes them: relative to the working directory or the spec
	// directory. Rules still see the whole platform.
	Files []string
	// FailOn overrides the spec's policies.failOn.
	FailOn Severity
	// Timeout bounds the evaluation; DefaultTimeout when zero.
	Timeout time.Duration
	// Concurrency bounds how many environments evaluate at once;
	// GOMAXPROCS when zero.
	Concurrency int

	// catalog replaces the built-in catalog in tests.
	catalog *ruleSet
}

// loadRules loads the catalog and the spec's custom policies and applies
// the spec's policies block.
func loadRules(m *schema.Model, opts Options) (*ruleSet, []*RuleSetting, error) {
	catalog := opts.catalog
	if catalog == nil {
		var err error
		if catalog, err = builtinCatalog(); err != nil {
			return nil, nil, err
		}
	}
	custom, errs := loadCustom(m)
	if len(errs) > 0 {
		return nil, nil, (&diag.List{Dir: m.Dir, Diags: errs}).Err()
	}
	set, errs := merge(catalog, custom)
	settings, cerrs := configure(m, set)
	if errs = append(errs, cerrs...); len(errs) > 0 {
		return nil, nil, (&diag.List{Dir: m.Dir, Diags: errs}).Err()
	}
	return set, settings, nil
}

// Lint checks the model against every rule in force, in every environment
// asked for. A mistake in the spec's policies block or in a custom policy
// (including a sandboxed builtin) is returned as *diag.List;
// findings are in the Result.
func Lint(ctx context.Context, m *schema.Model, opts Options) (*Result, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	threshold, err := failOn(m, opts.FailOn)
	if err != nil {
		return nil, fmt.Errorf("lint: fail-on: %w", err)
	}
	envs, err := environments(m, opts.Environments)
	if err != nil {
		return nil, err
	}
	e, err := prepare(ctx, m, opts)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	limit := opts.Concurrency
	if limit <= 0 {
		limit = runtime.GOMAXPROCS(0)
	}
	objects, err := convertObjects(ctx, opts.Objects, envs, limit)
	if err != nil {
		return nil, fmt.Errorf("lint: %w", err)
	}
	perEnv := make([][]Finding, len(envs))
	services := make([]map[string]string, len(envs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, env := range envs {
		g.Go(func() error {
			r, err := m.Resolve(env)
			if err != nil {
				return err
			}
			fs, err := e.eval(gctx, r, objects, now)
			if err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("lint %s: evaluation did not finish within %s (a rule may iterate over too much data): %w", env, timeout, ctx.Err())
				}
				return fmt.Errorf("lint %s: %w", env, err)
			}
			perEnv[i] = fs
			services[i] = map[string]string{}
			for name, svc := range r.Services {
				services[i][name] = svc.Owner
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res := &Result{Dir: m.Dir, Now: now, Environments: envs, FailOn: threshold, Rules: e.settings, Skipped: e.skipped,
		services: map[string]map[string]string{}}
	filter := newFileFilter(m.Dir, opts.Files)
	var all []Finding
	for i, fs := range perEnv {
		res.services[envs[i]] = services[i]
		for _, f := range fs {
			if filter.keeps(f.Pos.File, e.set.byID[f.RuleID]) {
				all = append(all, f)
			}
		}
	}
	res.Findings = mergeFindings(all, envs)
	return res, nil
}

// environments checks the names asked for; all environments when none.
func environments(m *schema.Model, names []string) ([]string, error) {
	all := m.EnvironmentNames()
	if len(names) == 0 {
		return all, nil
	}
	var out []string
	for _, n := range all {
		if contains(names, n) {
			out = append(out, n)
		}
	}
	for _, n := range names {
		if m.Environments[n] == nil {
			return nil, fmt.Errorf("lint: unknown environment %q (defined: %s)%s", n, strings.Join(all, ", "), diag.DidYouMean(n, all))
		}
	}
	return out, nil
}

// engine is a compiled rule set with its query prepared: one query whose
// result holds, for every rule document in force, the set of its findings.
type engine struct {
	m        *schema.Model
	set      *ruleSet
	settings []*RuleSetting
	query    rego.PreparedEvalQuery
	// slots name the rule document behind each element of the query's
	// result array.
	slots   []slot
	skipped []string
}

type slot struct {
	setting  *RuleSetting
	decision string
}

// prepare loads, checks, compiles and prepares every rule in force.
func prepare(ctx context.Context, m *schema.Model, opts Options) (*engine, error) {
	set, settings, err := loadRules(m, opts)
	if err != nil {
		return nil, err
	}
	e := &engine{m: m, set: set, settings: settings}
	compiler, err := compile(m, set)
	if err != nil {
		return nil, err
	}
	params := map[string]any{}
	var terms []string
	for _, s := range settings {
		if s.Rule.Package == "" {
			continue
		}
		params[s.Rule.ID] = paramsDocument(s.Params)
		if !s.Enabled {
			continue
		}
		if s.Rule.Scope == ScopeObjects && opts.Objects == nil {
			e.skipped = append(e.skipped, s.Rule.ID)
			continue
		}
		pkg := ast.MustParseRef("data." + s.Rule.Package)
		for _, d := range s.Rule.decisions {
			// A comprehension is never undefined, so one query holds
			// every document, and a rule without findings is an empty set.
			terms = append(terms, fmt.Sprintf("{x | some x in %s}", pkg.Append(ast.StringTerm(d))))
			e.slots = append(e.slots, slot{setting: s, decision: d})
		}
	}
	store := inmem.NewFromObject(map[string]any{"govctl": map[string]any{"params": normalize(params)}})
	r := rego.New(
		rego.Compiler(compiler),
		rego.Store(store),
		rego.Query("["+strings.Join(terms, ", ")+"]"),
		rego.Capabilities(Capabilities()),
	)
	e.query, err = r.PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("lint: prepare query: %w", err)
	}
	return e, nil
}

// compile compiles every policy module in the sandbox. Errors in custom
// policies (a sandboxed builtin, a type error) are returned at their
// file:line as *diag.List; an error in the built-in catalog is a bug
// in govctl.
func compile(m *schema.Model, set *ruleSet) (*ast.Compiler, error) {
	compiler := ast.NewCompiler().WithCapabilities(Capabilities()).WithDefaultRegoVersion(ast.RegoV1)
	if compiler.Compile(set.modules()); !compiler.Failed() {
		return compiler, nil
	}
	list := regoErrors(compiler.Errors)
	for _, l := range list {
		if strings.HasPrefix(l.Pos.File, builtinDir+"/") {
			return nil, fmt.Errorf("govctl's built-in rules do not compile (this is a bug in govctl):\n%w", (&diag.List{Diags: list}).Err())
		}
	}
	return nil, (&diag.List{Dir: m.Dir, Diags: list}).Err()
}

// eval runs every rule once over one environment, with the objects it sees
// (none when objects is nil), and returns its findings, placed, scoped,
// severity set and suppression applied.
func (e *engine) eval(ctx context.Context, r *schema.Resolved, objects *inputObjects, now time.Time) ([]Finding, error) {
	input, err := objects.inputValue(r, now)
	if err != nil {
		return nil, err
	}
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTime(now))
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, errors.New("query returned no result")
	}
	docs, ok := rs[0].Expressions[0].Value.([]any)
	if !ok || len(docs) != len(e.slots) {
		return nil, fmt.Errorf("query returned %T, want %d rule documents", rs[0].Expressions[0].Value, len(e.slots))
	}
	env := r.Environment.Name
	var out []Finding
	for i, s := range e.slots {
		if !s.setting.AppliesIn(env) {
			continue
		}
		items, _ := docs[i].([]any)
		for _, item := range items {
			f := e.finding(r, s, item)
			svc := r.Services[f.Service]
			owner := ""
			if svc != nil {
				owner = svc.Owner
			}
			if !s.setting.appliesTo(f.Service, owner) {
				continue
			}
			suppress(e.m, &f, svc, env, now)
			out = append(out, f)
		}
	}
	for _, f := range exceptionFindings(e.m, r, e.set.ids(), now) {
		s := e.setting(f.RuleID)
		if s == nil || !s.AppliesIn(env) || !s.appliesTo(f.Service, r.Services[f.Service].Owner) {
			continue
		}
		f.Severity = s.Severity
		out = append(out, f)
	}
	return out, nil
}

func (e *engine) setting(id string) *RuleSetting {
	for _, s := range e.settings {
		if s.Rule.ID == id {
			return s
		}
	}
	return nil
}

// finding reads one element of a rule document: {"msg", "service"?,
// "path"?}, or a plain message string (conftest).
func (e *engine) finding(r *schema.Resolved, s slot, item any) Finding {
	f := Finding{RuleID: s.setting.Rule.ID, Severity: s.setting.severityOf(s.decision), Environments: []string{r.Environment.Name}}
	switch v := item.(type) {
	case string:
		f.Message = v
	case map[string]any:
		f.Message, _ = v["msg"].(string)
		if f.Message == "" {
			f.Message = jsonText(v)
		}
		f.Service, _ = v["service"].(string)
		f.Path, _ = v["path"].(string)
	default:
		f.Message = jsonText(v)
	}
	f.Pos = e.place(r, f.Service, f.Path)
	return f
}

// place finds where the user set the field a finding names: through the
// service's provenance for a service-relative path, else by the spec's
// positions; the platform's declaration when the rule named no place.
func (e *engine) place(r *schema.Resolved, service, path string) schema.Pos {
	fp := parsePath(path)
	if service != "" {
		if svc := r.Services[service]; svc != nil {
			if path == "" {
				return svc.Pos
			}
			return svc.PosOf(fp)
		}
		if p, ok := e.m.PosOf(fieldpath.New("services", service).Append(fp...)); ok {
			return p
		}
	}
	if path != "" {
		if p, ok := e.m.PosOf(fp); ok {
			return p
		}
	}
	return posOf(e.m, fieldpath.New("platform"))
}
