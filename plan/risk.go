package plan

import (
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
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/govctl/govctl/lint"
)

// riskFiles are the built-in risk rules and their tests, under risk/.
//
//go:embed risk/*.rego
var riskFiles embed.FS

// RiskPackage is the Rego package every risk rule's package is under:
// govctl.risk.<name>, one file per rule, with a METADATA block (title,
// description, custom.id, custom.params with defaults) as lint rules have.
const RiskPackage = "govctl.risk"

// The input document of the risk rules is one spec change in one
// environment (RiskInput). A rule adds {"level": "low"|"medium"|"high",
// "reason": "<one line naming the service and environment>"} to its set
// `rating`; the highest level wins, ties go to the reason that sorts first.
// A change no rule rates is low: "no risk rule rated this change".
//
//	scope        "platform" | "environment" | "service" | "policies" |
//	             "objects" | "finding"
//	action       "create" | "update" | "delete" | "rename"
//	service      the service, or ""
//	env          the environment the change is rated in; "" for a change
//	             rated once (platform, policies)
//	tier         env's tier; for a change rated once, the highest tier
//	tiers        {env: tier} of every environment of the head
//	path         the spec field path ("services.orders.replicas")
//	field        the path relative to the service, environment, platform
//	             or policies block ("resilience.rateLimit.rps")
//	segments     field as an array of names and list positions
//	from, to     the values on either side; absent where there is none
//	before, after  the resolved service in env on either side (service
//	             scope); absent where it does not exist
//	environment  {before, after}: the resolved environment on either side
//	policies     {before, after}: the policies block on either side
//	rule         for a change under policies.rules.<id>: {id, params:
//	             {name: {looser: "higher"|"lower"}}} from the rule's METADATA
//	callers      the services that depend on service in the head
//	sensitive    the value is sensitive (secret.Matcher); literal: it is
//	             written in the spec, not referenced
//	objects      for scope objects: [{action, kind, name, env}]
//	finding      for scope finding: {rule, severity, message, new}
//
// data.govctl.params[<id>] holds each rule's parameters (the METADATA
// defaults), as lint rules read theirs.
type RiskInput = map[string]any

// Rater rates spec changes with the risk rules.
type Rater struct {
	query rego.PreparedEvalQuery
	// ids maps a rule package (govctl.risk.replicas) to its id.
	ids map[string]string
	// Rules are the rules, sorted by id.
	Rules []RiskRule
}

// RiskRule is a risk rule as its METADATA declares it.
type RiskRule struct {
	ID, Title, Package, File string
	// Params are the parameter defaults.
	Params map[string]any
}

var builtinRater = sync.OnceValues(func() (*Rater, error) {
	return newRater(context.Background(), nil)
})

// NewRater compiles the built-in risk rules, and extra's *.rego modules
// (packages under govctl.risk; _test.rego files are skipped) when extra is
// set.
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
			if !strings.HasPrefix(m.Package.Path.String(), "data."+RiskPackage+".") {
				return nil, fmt.Errorf("risk rules: %s: package %s, want one under %s", name, strings.TrimPrefix(m.Package.Path.String(), "data."), RiskPackage)
			}
			modules["extra/"+name] = m
		}
	}
	rules, params, err := riskRules(modules)
	if err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler().WithCapabilities(lint.Capabilities()).WithDefaultRegoVersion(ast.RegoV1)
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("risk rules: %w", compiler.Errors)
	}
	q, err := rego.New(
		rego.Compiler(compiler),
		rego.Query("data."+RiskPackage),
		rego.Store(inmem.NewFromObject(map[string]any{"govctl": map[string]any{"params": params}})),
		rego.Capabilities(lint.Capabilities()),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("risk rules: %w", err)
	}
	r := &Rater{query: q, ids: map[string]string{}, Rules: rules}
	for _, rr := range rules {
		r.ids[rr.Package] = rr.ID
	}
	return r, nil
}

// riskRules reads each rule package's METADATA: its id, title and
// parameter defaults (data.govctl.params[id]). Packages without
// custom.id are helpers (govctl.risk.lib).
func riskRules(modules map[string]*ast.Module) ([]RiskRule, map[string]any, error) {
	var rules []RiskRule
	params := map[string]any{}
	for file, m := range modules {
		var ann *ast.Annotations
		for _, a := range m.Annotations {
			if a.Scope == "package" {
				ann = a
			}
		}
		if ann == nil {
			continue
		}
		id, _ := ann.Custom["id"].(string)
		if id == "" {
			continue
		}
		if ann.Title == "" {
			return nil, nil, fmt.Errorf("risk rules: %s: METADATA has no title", file)
		}
		rr := RiskRule{ID: id, Title: ann.Title, Package: strings.TrimPrefix(m.Package.Path.String(), "data."), File: file, Params: map[string]any{}}
		if ps, ok := ann.Custom["params"].(map[string]any); ok {
			for name, spec := range ps {
				s, _ := spec.(map[string]any)
				d, ok := s["default"]
				if !ok {
					return nil, nil, fmt.Errorf("risk rules: %s: parameter %s has no default", file, name)
				}
				rr.Params[name] = d
			}
		}
		params[id] = rr.Params
		rules = append(rules, rr)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	for i := 1; i < len(rules); i++ {
		if rules[i].ID == rules[i-1].ID {
			return nil, nil, fmt.Errorf("risk rules: %s and %s both declare %s", rules[i-1].File, rules[i].File, rules[i].ID)
		}
	}
	return rules, params, nil
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
		m, err := ast.ParseModuleWithOpts(file, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true, Capabilities: lint.Capabilities()})
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
	// Rule is that rule's id; "" when no rule rated the input.
	Rule string
}

// Rate evaluates the rules for one input document (see RiskInput).
func (r *Rater) Rate(ctx context.Context, input RiskInput) (Rating, error) {
	v, err := ast.InterfaceToValue(input)
	if err != nil {
		return Rating{}, fmt.Errorf("risk input: %w", err)
	}
	rs, err := r.query.Eval(ctx, rego.EvalParsedInput(v))
	if err != nil {
		return Rating{}, fmt.Errorf("evaluate risk rules: %w", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return Rating{}, fmt.Errorf("evaluate risk rules: no result")
	}
	var ratings []Rating
	var walk func(prefix string, doc map[string]any) error
	walk = func(prefix string, doc map[string]any) error {
		for k, v := range doc {
			sub, _ := v.(map[string]any)
			if k == "rating" {
				set, _ := v.([]any)
				for _, e := range set {
					rt, err := parseRating(e)
					if err != nil {
						return fmt.Errorf("%s: %w", prefix, err)
					}
					rt.Rule = r.ids[prefix]
					ratings = append(ratings, rt)
				}
				continue
			}
			if sub != nil {
				if err := walk(prefix+"."+k, sub); err != nil {
					return err
				}
			}
		}
		return nil
	}
	doc, _ := rs[0].Expressions[0].Value.(map[string]any)
	if err := walk(RiskPackage, doc); err != nil {
		return Rating{}, err
	}
	if len(ratings) == 0 {
		return Rating{Risk: RiskLow, Reason: "no risk rule rated this change"}, nil
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
