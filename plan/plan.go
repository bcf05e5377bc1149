package plan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// RenderFunc renders a loaded model into objects: every target and
// environment the plan covers, plus any pseudo-objects (PolicyObject) the
// caller wants planned. The CLI passes the real renderers; tests pass their
// own. It must be pure: the same model gives the same objects.
type RenderFunc func(ctx context.Context, m *schema.Model) ([]render.Object, error)

// Action is what a change does to an object.
type Action string

// The actions, in the order a summary lists them.
const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
)

// symbol is the one-character sign Terraform uses for the action.
func (a Action) symbol() string {
	switch a {
	case ActionCreate:
		return "+"
	case ActionDelete:
		return "-"
	}
	return "~"
}

// Risk is how much care a change needs in review.
type Risk string

// The risk classes, lowest first.
const (
	RiskLow    Risk = "low"
	RiskMedium Risk = "medium"
	RiskHigh   Risk = "high"
)

// Risks lists the classes, highest first, as summaries list them.
var Risks = []Risk{RiskHigh, RiskMedium, RiskLow}

func (r Risk) rank() int {
	switch r {
	case RiskHigh:
		return 3
	case RiskMedium:
		return 2
	case RiskLow:
		return 1
	}
	return 0
}

// ParseRisk returns the risk class named s: "low", "medium" or "high".
func ParseRisk(s string) (Risk, error) {
	switch r := Risk(strings.ToLower(strings.TrimSpace(s))); r {
	case RiskLow, RiskMedium, RiskHigh:
		return r, nil
	}
	return "", fmt.Errorf("unknown risk class %q (want low, medium or high)", s)
}

// AtLeast reports whether r is as high as o or higher.
func (r Risk) AtLeast(o Risk) bool { return r.rank() >= o.rank() }

// FieldOp says what happened to one field of an updated object.
type FieldOp string

// The field operations.
const (
	// FieldAdd: the field, list element or set element is new.
	FieldAdd FieldOp = "add"
	// FieldRemove: the field, list element or set element is gone.
	FieldRemove FieldOp = "remove"
	// FieldChange: the field has another value.
	FieldChange FieldOp = "change"
)

// FieldDiff is one difference inside an updated object.
type FieldDiff struct {
	// Path is the field path, e.g. "spec.http[0].route[1].weight"; a set
	// element is at "<list>[]"; "" is the whole value (raw content).
	Path string
	// Op is add, remove or change.
	Op FieldOp
	// Before and After are the values on either side in their generic form
	// (map[string]any, []any, string, json.Number, bool, nil); Before is
	// nil for FieldAdd, After for FieldRemove.
	Before, After any
	// Risk and Reason are the field's rating.
	Risk   Risk
	Reason string

	// segments is Path split into names (string), indexes (int) and set
	// elements (setElement).
	segments []any
}

// Change is what the plan does to one object.
type Change struct {
	// Action is create, update or delete.
	Action Action
	// Target is the renderer that owns the object ("policy" for lint
	// rule pseudo-objects).
	Target render.Target
	// Env is the object's environment; "" for objects that span
	// environments (deploy workflows).
	Env string
	// Tier is Env's tier; for an object that spans environments, the
	// highest tier the plan knows.
	Tier schema.Tier
	// Service is the service the object was rendered for, if any.
	Service string
	// ID is the object's identity as its renderer set it, completed from
	// its content (apiVersion, kind, namespace, name) where that is known.
	ID render.Identity
	// Name is how reports name the object within its target:
	// "VirtualService shop-prod/orders", a Nacos entry's
	// "shop-prod/DEFAULT_GROUP/orders.yaml", "LintRule GOV-RES-001", or
	// the output path.
	Name string
	// Path is the output file, when the object is written to one.
	Path string
	// Fields are the differences of an update, in path order.
	Fields []FieldDiff
	// Before and After are the whole object in generic form; Before is nil
	// for a create, After for a delete.
	Before, After any
	// Risk and Reason are the change's rating: for an update, those of
	// its riskiest field.
	Risk   Risk
	Reason string
	// Conflict, when set, says why applying the change will be refused
	// (a Nacos entry edited in the console since govctl applied it).
	Conflict string
}

// Environment is one environment of a plan, in promotion order.
type Environment struct {
	// Name is the environment's name; "" stands for objects that span
	// every environment.
	Name string
	// Tier is the environment's tier.
	Tier schema.Tier
}

// Label is how reports name the environment.
func (e Environment) Label() string {
	if e.Name == "" {
		return "all environments"
	}
	return e.Name
}

// heading is the label with the tier when the name does not say it:
// "prod", "eu-west (prod)", "all environments (prod)".
func (e Environment) heading() string {
	if e.Name == string(e.Tier) {
		return e.Name
	}
	return e.Label() + " (" + string(e.Tier) + ")"
}

// Plan is the result of comparing desired objects with a baseline.
type Plan struct {
	// Platform is the platform's name; it keys the PR comment marker.
	Platform string
	// Baseline describes what was compared with, e.g. "origin/main (1a2b3c4)".
	Baseline string
	// Environments are every environment the plan knows, in promotion
	// order (by tier, then name), followed by "" when objects that span
	// environments changed.
	Environments []Environment
	// Changes are sorted by environment (in the order of Environments),
	// then target, then name.
	Changes []Change
}

// HasChanges reports whether anything would change; `--detailed-exitcode`
// exits 2 when it does.
func (p *Plan) HasChanges() bool { return len(p.Changes) > 0 }

// Counts are the number of changes by action and by risk.
type Counts struct {
	// Add, Change and Destroy count creates, updates and deletes.
	Add, Change, Destroy int
	// High, Medium and Low count the changes of each risk class.
	High, Medium, Low int
}

// Total is the number of changes counted.
func (c Counts) Total() int { return c.Add + c.Change + c.Destroy }

// Highest is the highest risk counted; "" when there is no change.
func (c Counts) Highest() Risk {
	switch {
	case c.High > 0:
		return RiskHigh
	case c.Medium > 0:
		return RiskMedium
	case c.Low > 0:
		return RiskLow
	}
	return ""
}

// Of returns the count of one risk class.
func (c Counts) Of(r Risk) int {
	switch r {
	case RiskHigh:
		return c.High
	case RiskMedium:
		return c.Medium
	case RiskLow:
		return c.Low
	}
	return 0
}

func (c *Counts) add(ch Change) {
	switch ch.Action {
	case ActionCreate:
		c.Add++
	case ActionUpdate:
		c.Change++
	case ActionDelete:
		c.Destroy++
	}
	switch ch.Risk {
	case RiskHigh:
		c.High++
	case RiskMedium:
		c.Medium++
	case RiskLow:
		c.Low++
	}
}

// Summary counts every change of the plan.
func (p *Plan) Summary() Counts {
	var c Counts
	for _, ch := range p.Changes {
		c.add(ch)
	}
	return c
}

// EnvironmentSummary counts the changes of one environment.
func (p *Plan) EnvironmentSummary(env string) Counts {
	var c Counts
	for _, ch := range p.Changes {
		if ch.Env == env {
			c.add(ch)
		}
	}
	return c
}

// ChangesIn returns the changes of one environment, in plan order.
func (p *Plan) ChangesIn(env string) []Change {
	var out []Change
	for _, ch := range p.Changes {
		if ch.Env == env {
			out = append(out, ch)
		}
	}
	return out
}

// HighestRisk is the highest risk of any change; "" when there is none.
func (p *Plan) HighestRisk() Risk { return p.Summary().Highest() }

// Options are the inputs of Compute.
type Options struct {
	// Model is the desired spec, loaded by the caller. Required.
	Model *schema.Model
	// Render renders Model into the desired objects. Required.
	Render RenderFunc
	// Baseline is what the desired objects are compared with. Required.
	Baseline Baseline
	// Scope limits the plan to some targets and environments, on both
	// sides; the zero Scope covers everything. Lint-rule pseudo-objects
	// have target TargetPolicy.
	Scope render.Scope
	// RiskRules, when set, holds extra *.rego modules (package
	// govctl.risk, at the root of the FS) evaluated with the built-in
	// rules, so that a platform can add its own ratings.
	RiskRules fs.FS
	// Secrets hides sensitive values in the changes (lint.SecretMatcher);
	// nil shows every value. Compute adds the secrets it meets in the
	// changes' Nacos entries (a live server's included) to its literals.
	Secrets *secret.Matcher
}

// Compute renders the desired objects, reads the baseline's, and returns
// the rated changes between them.
func Compute(ctx context.Context, opts Options) (*Plan, error) {
	if opts.Model == nil {
		return nil, errors.New("plan: no model to plan")
	}
	if opts.Render == nil {
		return nil, errors.New("plan: no render function")
	}
	if opts.Baseline == nil {
		return nil, errors.New("plan: no baseline to compare with")
	}
	rater, err := NewRater(ctx, opts.RiskRules)
	if err != nil {
		return nil, err
	}
	desired, err := opts.Render(ctx, opts.Model)
	if err != nil {
		return nil, fmt.Errorf("plan: render the specs: %w", err)
	}
	// Derived files (a Nacos index, an import bundle) summarise objects
	// that are planned one by one; on the baseline side they are known by
	// path, as a directory does not say what derived them.
	derived := map[string]bool{}
	var covered []render.Object
	for _, o := range desired {
		if o.Derived {
			derived[o.Path] = true
			continue
		}
		if opts.Scope.Includes(o.Target, o.Env) && opts.Baseline.Covers(o) {
			covered = append(covered, o)
		}
	}
	// Encoding and reading back the desired objects is most of a plan's
	// work on a large platform; it is done once, for the baseline and the
	// comparison.
	wantContents, err := readContents(ctx, covered, nil, nil)
	if err != nil {
		return nil, err
	}
	var base []render.Object
	var baseContents []*content
	if cb, ok := opts.Baseline.(contentBaseline); ok {
		base, baseContents, err = cb.objectsWithContents(ctx, covered, wantContents)
	} else {
		base, err = opts.Baseline.Objects(ctx, covered)
	}
	if err != nil {
		return nil, fmt.Errorf("plan: read baseline %s: %w", opts.Baseline.Describe(), err)
	}
	var baseInScope []render.Object
	var baseInScopeContents []*content
	for i, o := range base {
		if o.Derived || derived[o.Path] {
			continue
		}
		if opts.Scope.Includes(o.Target, o.Env) {
			baseInScope = append(baseInScope, o)
			if baseContents != nil {
				baseInScopeContents = append(baseInScopeContents, baseContents[i])
			}
		}
	}

	envs := newEnvironments(opts.Model)
	if bt, ok := opts.Baseline.(environmentTiers); ok {
		envs.addTiers(bt.environmentTiers())
	}
	p := &Plan{Platform: opts.Model.Platform.Name, Baseline: opts.Baseline.Describe()}
	p.Changes, err = compare(ctx, covered, wantContents, baseInScope, baseInScopeContents, envs, rater)
	if err != nil {
		return nil, err
	}
	if cr, ok := opts.Baseline.(conflictReporter); ok {
		for i := range p.Changes {
			if p.Changes[i].Action == ActionUpdate {
				p.Changes[i].Conflict = cr.conflict(p.Changes[i].Env, p.Changes[i].Name)
			}
		}
	}
	redactSecrets(p.Changes, opts.Secrets)
	p.Environments = envs.list(p.Changes)
	sortChanges(p.Changes, p.Environments)
	return p, nil
}

// environmentTiers is implemented by baselines that know the environments
// of their side (a git ref's specs), so that an environment the change
// removes is still ordered and rated by its tier.
type environmentTiers interface {
	environmentTiers() map[string]schema.Tier
}

// environments knows the tier of every environment a plan can meet.
type environments struct {
	tiers map[string]schema.Tier
	// order is the head model's promotion order.
	order []string
}

func newEnvironments(m *schema.Model) *environments {
	e := &environments{tiers: map[string]schema.Tier{}}
	if m != nil {
		e.order = m.EnvironmentNames()
		for name, env := range m.Environments {
			e.tiers[name] = env.Tier
		}
	}
	return e
}

func (e *environments) addTiers(tiers map[string]schema.Tier) {
	for name, t := range tiers {
		if _, ok := e.tiers[name]; !ok {
			e.tiers[name] = t
		}
	}
}

// tier returns the tier of env. An environment neither side's specs
// declare (a directory baseline's leftovers) is rated by its name, and as
// prod when the name says nothing: an unknown environment is not assumed
// safe. Objects that span environments take the highest tier known.
func (e *environments) tier(env string) schema.Tier {
	if env == "" {
		highest := schema.TierDev
		for _, t := range e.tiers {
			if tierRank(t) > tierRank(highest) {
				highest = t
			}
		}
		if len(e.tiers) == 0 {
			return schema.TierProd
		}
		return highest
	}
	if t, ok := e.tiers[env]; ok {
		return t
	}
	return tierFromName(env)
}

// tierFromName guesses a tier from an environment's name.
func tierFromName(env string) schema.Tier {
	n := strings.ToLower(env)
	switch {
	case strings.Contains(n, "prod"), strings.Contains(n, "live"):
		return schema.TierProd
	case strings.Contains(n, "stag"), strings.Contains(n, "preprod"), strings.Contains(n, "uat"):
		return schema.TierStaging
	case strings.Contains(n, "dev"), strings.Contains(n, "test"), strings.Contains(n, "sandbox"), strings.Contains(n, "local"):
		return schema.TierDev
	}
	return schema.TierProd
}

func tierRank(t schema.Tier) int {
	switch t {
	case schema.TierDev:
		return 0
	case schema.TierStaging:
		return 1
	}
	return 2
}

// list returns the plan's environments in promotion order: the head
// model's, then any other environment that has changes (by tier, then
// name), then "" when objects spanning environments changed.
func (e *environments) list(changes []Change) []Environment {
	seen := map[string]bool{}
	var out []Environment
	for _, name := range e.order {
		seen[name] = true
		out = append(out, Environment{Name: name, Tier: e.tier(name)})
	}
	var extra []string
	spans := false
	for _, ch := range changes {
		if ch.Env == "" {
			spans = true
			continue
		}
		if !seen[ch.Env] {
			seen[ch.Env] = true
			extra = append(extra, ch.Env)
		}
	}
	sort.Slice(extra, func(i, j int) bool {
		ti, tj := tierRank(e.tier(extra[i])), tierRank(e.tier(extra[j]))
		if ti != tj {
			return ti < tj
		}
		return extra[i] < extra[j]
	})
	for _, name := range extra {
		out = append(out, Environment{Name: name, Tier: e.tier(name)})
	}
	if spans {
		out = append(out, Environment{Name: "", Tier: e.tier("")})
	}
	return out
}

// targetOrder is the order changes of one environment are listed in.
func targetOrder(t render.Target) int {
	for i, x := range render.AllTargets() {
		if x == t {
			return i
		}
	}
	if t == TargetPolicy {
		return len(render.AllTargets())
	}
	return len(render.AllTargets()) + 1
}

// sortChanges orders changes by environment, target, then name.
func sortChanges(changes []Change, envs []Environment) {
	pos := map[string]int{}
	for i, e := range envs {
		pos[e.Name] = i
	}
	sort.SliceStable(changes, func(i, j int) bool {
		a, b := changes[i], changes[j]
		if pos[a.Env] != pos[b.Env] {
			return pos[a.Env] < pos[b.Env]
		}
		if ta, tb := targetOrder(a.Target), targetOrder(b.Target); ta != tb {
			return ta < tb
		}
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		return a.Name < b.Name
	})
}
