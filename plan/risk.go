package plan

import (
	"github.com/govctl/govctl/lint"

	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/govctl/govctl/render"
)

// riskFiles are the built-in risk rules and their tests, under risk/.
//
//go:embed risk/*.rego
var riskFiles embed.FS

// RiskPackage is the Rego package every risk rule belongs to.
const RiskPackage = "govctl.risk"

// The input document of the risk rules is one change (RiskInput). A rule
// adds {"level": "low"|"medium"|"high", "reason": "<one line>"} to the set
// `rating`; the highest level wins, ties go to the reason that sorts
// first. A change no rule rates gets the object `fallback`.
//
// RiskInput documents the input; it is built as a map so that absent
// fields (before of an added field) are absent, not null.
//
//	action    "create" | "update" | "delete"
//	target    "istio" | "kratos" | "nacos" | "github" | "policy"
//	env       the environment the change takes effect in: the object's,
//	          or for a workflow job the job's GitHub environment; "" when
//	          the object spans environments
//	tier      "dev" | "staging" | "prod": env's tier; for an object that
//	          spans environments the highest tier of the plan
//	kind      the object's kind ("VirtualService", "Workflow", "LintRule")
//	id        {"apiVersion", "kind", "namespace", "name"}
//	service   the service the object was rendered for, or ""
//	resource  how reports name the object ("VirtualService shop-prod/orders")
//	file      the output file, or ""
//	path      the field path of an update ("spec.http[0].route[1].weight");
//	          "" for a create or delete
//	segments  path as an array: names (strings), positions (numbers) and
//	          "[]" for an element of a set-like list
//	op        "add" | "remove" | "change" for an update; "" otherwise
//	before    the field's old value (the whole object for a delete);
//	          absent when there was none
//	after     the field's new value (the whole object for a create);
//	          absent when there is none
//	object    {"before", "after"}: the whole object on either side, each
//	          absent on the side where the object does not exist
type RiskInput = map[string]any

// Rater rates changes with the risk rules.
type Rater struct {
	query rego.PreparedEvalQuery
}

var builtinRater = sync.OnceValues(func() (*Rater, error) {
	return newRater(context.Background(), nil)
})

// NewRater compiles the built-in risk rules, and extra's *.rego modules
// (package govctl.risk; _test.rego files are skipped) when extra is set.
func NewRater(ctx context.Context, extra fs.FS) (*Rater, error) {
	if extra == nil {
		return builtinRater()
	}
	return newRater(ctx, extra)
}

func newRater(ctx context.Context, extra fs.FS) (*Rater, error) {
	modules, err := riskModules(riskFiles, "risk", "plan/risk", false)
	if err != nil {
		return nil, err
	}
	if extra != nil {
		more, err := riskModules(extra, ".", "", false)
		if err != nil {
			return nil, err
		}
		for name, m := range more {
			if m.Package.Path.String() != "data."+RiskPackage {
				return nil, fmt.Errorf("risk rules: %s: package %s, want %s", name, strings.TrimPrefix(m.Package.Path.String(), "data."), RiskPackage)
			}
			modules["extra/"+name] = m
		}
	}
	compiler := ast.NewCompiler().WithCapabilities(lint.Capabilities()).WithDefaultRegoVersion(ast.RegoV1)
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("risk rules: %w", compiler.Errors)
	}
	q, err := rego.New(
		rego.Compiler(compiler),
		rego.Query("data."+RiskPackage),
		rego.Capabilities(lint.Capabilities()),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("risk rules: %w", err)
	}
	return &Rater{query: q}, nil
}

// riskModules parses the *.rego files in dir of fsys, naming them under
// prefix in messages; tests says whether to take the _test.rego files too.
func riskModules(fsys fs.FS, dir, prefix string, tests bool) (map[string]*ast.Module, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("risk rules: %w", err)
	}
	modules := map[string]*ast.Module{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".rego") || (!tests && strings.HasSuffix(name, "_test.rego")) {
			continue
		}
		src, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("risk rules: %w", err)
		}
		file := name
		if prefix != "" {
			file = path.Join(prefix, name)
		}
		m, err := ast.ParseModuleWithOpts(file, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1, Capabilities: lint.Capabilities()})
		if err != nil {
			return nil, fmt.Errorf("risk rules: %w", err)
		}
		modules[file] = m
	}
	return modules, nil
}

// Rating is the result of rating one input.
type Rating struct {
	// Risk is the class of the rule that rated highest.
	Risk Risk
	// Reason is that rule's one-line reason.
	Reason string
}

// Rate evaluates the rules for one input document (see RiskInput).
func (r *Rater) Rate(ctx context.Context, input RiskInput) (Rating, error) {
	v, err := ast.InterfaceToValue(input)
	if err != nil {
		return Rating{}, fmt.Errorf("risk input: %w", err)
	}
	return r.rateValue(ctx, v)
}

func (r *Rater) rateValue(ctx context.Context, input ast.Value) (Rating, error) {
	rs, err := r.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return Rating{}, fmt.Errorf("evaluate risk rules: %w", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return Rating{}, fmt.Errorf("evaluate risk rules: no result")
	}
	doc, _ := rs[0].Expressions[0].Value.(map[string]any)
	var ratings []Rating
	if set, ok := doc["rating"].([]any); ok {
		for _, e := range set {
			rt, err := parseRating(e)
			if err != nil {
				return Rating{}, err
			}
			ratings = append(ratings, rt)
		}
	}
	if len(ratings) == 0 {
		fb, ok := doc["fallback"]
		if !ok {
			return Rating{Risk: RiskLow, Reason: "no risk rule rated this change"}, nil
		}
		return parseRating(fb)
	}
	sort.Slice(ratings, func(i, j int) bool {
		if ratings[i].Risk != ratings[j].Risk {
			return ratings[i].Risk.rank() > ratings[j].Risk.rank()
		}
		return ratings[i].Reason < ratings[j].Reason
	})
	return ratings[0], nil
}

func parseRating(v any) (Rating, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Rating{}, fmt.Errorf("risk rules: a rating is %T, want an object {level, reason}", v)
	}
	level, _ := m["level"].(string)
	risk, err := ParseRisk(level)
	if err != nil {
		return Rating{}, fmt.Errorf("risk rules: rating %v: %w", m, err)
	}
	reason, _ := m["reason"].(string)
	reason = strings.Join(strings.Fields(reason), " ")
	if reason == "" {
		return Rating{}, fmt.Errorf("risk rules: rating %v has no reason", m)
	}
	return Rating{Risk: risk, Reason: reason}, nil
}

// rateChange rates a change: each field of an update on its own, the
// change by its riskiest field; a create or delete as a whole.
func (r *Rater) rateChange(ctx context.Context, ch *Change, envs *environments) error {
	kind := ch.ID.Kind
	common := map[string]any{
		"action":   string(ch.Action),
		"target":   string(ch.Target),
		"kind":     kind,
		"id":       map[string]any{"apiVersion": ch.ID.APIVersion, "kind": ch.ID.Kind, "namespace": ch.ID.Namespace, "name": ch.ID.Name},
		"service":  ch.Service,
		"resource": ch.Name,
		"file":     ch.Path,
	}
	object := map[string]any{}
	if ch.Before != nil {
		object["before"] = ch.Before
	}
	if ch.After != nil {
		object["after"] = ch.After
	}
	common["object"] = object
	base, err := ast.InterfaceToValue(common)
	if err != nil {
		return fmt.Errorf("risk input for %s: %w", ch.Name, err)
	}
	var basePairs [][2]*ast.Term
	base.(ast.Object).Foreach(func(k, v *ast.Term) { basePairs = append(basePairs, [2]*ast.Term{k, v}) })

	ch.Tier = envs.tier(ch.Env)
	rate := func(env string, extra map[string]any) (Rating, error) {
		extra["env"] = env
		extra["tier"] = string(envs.tier(env))
		ev, err := ast.InterfaceToValue(extra)
		if err != nil {
			return Rating{}, fmt.Errorf("risk input for %s: %w", ch.Name, err)
		}
		// The whole objects are converted once per change; each field's
		// input shares their terms.
		pairs := append([][2]*ast.Term{}, basePairs...)
		ev.(ast.Object).Foreach(func(k, v *ast.Term) { pairs = append(pairs, [2]*ast.Term{k, v}) })
		rt, err := r.rateValue(ctx, ast.NewObject(pairs...))
		if err != nil {
			return Rating{}, fmt.Errorf("rate %s: %w", ch.Name, err)
		}
		return rt, nil
	}

	if ch.Action != ActionUpdate {
		extra := map[string]any{"path": "", "segments": []any{}, "op": ""}
		if ch.Before != nil {
			extra["before"] = ch.Before
		}
		if ch.After != nil {
			extra["after"] = ch.After
		}
		rt, err := rate(ch.Env, extra)
		if err != nil {
			return err
		}
		ch.Risk, ch.Reason = rt.Risk, rt.Reason
		return nil
	}
	for i := range ch.Fields {
		f := &ch.Fields[i]
		segs := regoSegments(f.segments, ch.Before, ch.After)
		extra := map[string]any{"path": f.Path, "segments": segs, "op": string(f.Op)}
		if f.Op != FieldAdd {
			extra["before"] = f.Before
		}
		if f.Op != FieldRemove {
			extra["after"] = f.After
		}
		rt, err := rate(fieldEnv(ch, f.segments), extra)
		if err != nil {
			return err
		}
		f.Risk, f.Reason = rt.Risk, rt.Reason
		if f.Risk.rank() > ch.Risk.rank() {
			ch.Risk, ch.Reason = f.Risk, f.Reason
		}
	}
	return nil
}

// fieldEnv is the environment a field of an object takes effect in: the
// object's own, or for a field inside a GitHub Actions job of a workflow
// that spans environments, the job's deployment environment.
func fieldEnv(ch *Change, segs []any) string {
	if ch.Env != "" || ch.Target != render.TargetGitHub || len(segs) < 2 || segs[0] != "jobs" {
		return ch.Env
	}
	job, _ := segs[1].(string)
	for _, tree := range []any{ch.After, ch.Before} {
		jobs, _ := lookup(tree, "jobs").(map[string]any)
		j, _ := jobs[job].(map[string]any)
		switch e := j["environment"].(type) {
		case string:
			return e
		case map[string]any:
			if name, ok := e["name"].(string); ok {
				return name
			}
		}
	}
	return ch.Env
}

func lookup(tree any, key string) any {
	m, _ := tree.(map[string]any)
	return m[key]
}

// regoSegments turns a field's segments into what risk rules see: names,
// positions and "[]" for a set element. An element of a named list becomes
// its position, in the after tree where it exists (else the before tree),
// so that rules can follow the segments into input.object.
func regoSegments(segs []any, before, after any) []any {
	out := make([]any, len(segs))
	for i, s := range segs {
		switch s := s.(type) {
		case setElement:
			out[i] = "[]"
		case orderSegment:
			out[i] = "(order)"
		case namedElement:
			out[i] = s.name
			for _, tree := range []any{after, before} {
				if pos, ok := positionOf(tree, out[:i], s.name); ok {
					out[i] = pos
					break
				}
			}
		default:
			out[i] = s
		}
	}
	return out
}

// positionOf finds the position of the element named name in the list at
// path in tree.
func positionOf(tree any, path []any, name string) (int, bool) {
	cur := tree
	for _, seg := range path {
		switch k := seg.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return 0, false
			}
			cur = m[k]
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				return 0, false
			}
			cur = l[k]
		default:
			return 0, false
		}
	}
	l, ok := cur.([]any)
	if !ok {
		return 0, false
	}
	for i, e := range l {
		if m, ok := e.(map[string]any); ok && m["name"] == name {
			return i, true
		}
	}
	return 0, false
}
