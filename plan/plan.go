package plan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// RenderFunc renders a loaded model into objects: every target and
// environment the plan covers. The CLI passes the real renderers; tests pass their
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

	// segments is Path split into names (string), indexes (int) and set
	// elements (setElement).
	segments []any
}

// ObjectChange is what the plan does to one rendered object: the evidence
// of a spec change (Change.Objects).
type ObjectChange struct {
	// Action is create, update or delete.
	Action Action
	// Target is the renderer that owns the object.
	Target render.Target
	// Env is the object's environment; "" for objects that span
	// environments (deploy workflows).
	Env string
	// Service is the service the object was rendered for, if any.
	Service string
	// ID is the object's identity as its renderer set it, completed from
	// its content (apiVersion, kind, namespace, name) where that is known.
	ID render.Identity
	// Name is how reports name the object within its target:
	// "VirtualService shop-prod/orders", a Nacos entry's
	// "shop-prod/DEFAULT_GROUP/orders.yaml", or the output path.
	Name string
	// Path is the output file, when the object is written to one.
	Path string
	// Fields are the differences of an update, in path order.
	Fields []FieldDiff
	// Before and After are the whole object in generic form; Before is nil
	// for a create, After for a delete.
	Before, After any
	// Conflict, when set, says why applying the change will be refused
	// (a Nacos entry edited in the console since govctl applied it).
	Conflict string
	// Cause is the change the object change is evidence of.
	Cause *Change
}

// ObjectID is the object's identity in JSON and in Change.Objects:
// "<target>:<env>:<name>".
func (o *ObjectChange) ObjectID() string {
	return string(o.Target) + ":" + o.Env + ":" + o.Name
}

// Environment is one environment of a plan, in promotion order.
type Environment struct {
	// Name is the environment's name.
	Name string
	// Tier is the environment's tier.
	Tier schema.Tier
}

// Plan is the result of comparing the head specs with a baseline.
type Plan struct {
	// Platform is the platform's name; it keys the PR comment marker.
	Platform string
	// Baseline describes what was compared with, e.g. "origin/main (1a2b3c4)".
	Baseline string
	// SpecBaseline is whether the baseline had specs (--base): without
	// them (--against, --nacos) only rendered objects are compared, and
	// changes say so.
	SpecBaseline bool
	// Command is the command that reproduces the plan, for the footer;
	// set by the caller.
	Command string
	// Environments are every environment of the head (and any the base
	// had), in promotion order.
	Environments []Environment
	// Changes are the spec changes, riskiest first, then by service,
	// environment and path. New lint findings are changes too.
	Changes []*Change
	// Objects are every rendered-object change, each attached to the
	// change that causes it.
	Objects []*ObjectChange
	// Findings are the lint findings the change introduces (New) and
	// fixes.
	Findings []FindingRef

	// graph is the head's dependency edges (caller → callees) over every
	// environment, for the context of the dependency graph.
	graph map[string][]string
	// literals are the model's sensitive literal values, scrubbed from
	// every report.
	literals []string
}

// HasChanges reports whether anything would change; `--detailed-exitcode`
// exits 2 when it does. A spec edit is a change even when no target
// renders it.
func (p *Plan) HasChanges() bool { return len(p.Changes) > 0 || len(p.Objects) > 0 }

// Counts are the number of changes by action and by risk.
type Counts struct {
	// Add, Change and Destroy count creates, updates (and renames) and
	// deletes.
	Add, Change, Destroy int
	// High, Medium and Low count the changes of each risk class.
	High, Medium, Low int
	// Findings counts new lint findings.
	Findings int
}

// Total is the number of changes counted.
func (c Counts) Total() int { return c.Add + c.Change + c.Destroy + c.Findings }

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

func (c *Counts) add(ch *Change, r Risk) {
	switch {
	case ch.Scope == ScopeFinding:
		c.Findings++
	case ch.Action == ActionCreate:
		c.Add++
	case ch.Action == ActionDelete:
		c.Destroy++
	default:
		c.Change++
	}
	switch r {
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
		c.add(ch, ch.Risk)
	}
	return c
}

// Cell counts the changes of one service ("" for everything that is not
// about a service) in one environment, rated as in that environment; env
// "" counts the changes that are about no environment (platform,
// policies), rated once.
func (p *Plan) Cell(group, env string) Counts {
	var c Counts
	for _, ch := range p.Changes {
		if ch.group() != group {
			continue
		}
		if (env == "") != (len(ch.Environments) == 0) || (env != "" && !ch.In(env)) {
			continue
		}
		r, ok := ch.Risks[env]
		if !ok {
			r = ch.Risk
		}
		c.add(ch, r)
	}
	return c
}

// In reports whether the change shows in env: it lists env, or it lists
// no environment (it applies everywhere).
func (c *Change) In(env string) bool {
	return len(c.Environments) == 0 || slices.Contains(c.Environments, env)
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
	// Scope limits the rendered objects compared to some targets and
	// environments, on both sides; the zero Scope covers everything.
	// Spec changes are limited to the scope's environments.
	Scope render.Scope
	// RiskRules, when set, holds extra *.rego modules (packages under
	// govctl.risk, at the root of the FS) evaluated with the built-in
	// rules, so that a platform can add its own ratings.
	RiskRules fs.FS
	// Lint runs the lint rules on both sides (with a spec baseline) so
	// that the findings the change introduces and fixes are part of the
	// plan.
	Lint bool
	// Now is the time lint judges exception expiry by; the current time
	// when zero.
	Now time.Time
	// Secrets adds to what the plan treats as sensitive (credentials the
	// caller's live-system clients hold); the specs' own sensitive values
	// (lint.SecretMatcher of base and head) always are.
	Secrets *secret.Matcher
}

// Compute renders the desired objects, reads the baseline's, diffs the
// resolved models when the baseline has specs, attaches every object
// change to the spec change that causes it, rates each change with the
// risk rules and adds the lint findings the change introduces.
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
	var headFindings, baseFindings []lint.Finding
	if opts.Lint {
		if headFindings, err = lintFindings(ctx, opts.Model, desired, opts.Now); err != nil {
			return nil, err
		}
	}
	sb, isSpec := opts.Baseline.(specBaseline)
	if isSpec && opts.Lint {
		sb.inspect(func(ctx context.Context, m *schema.Model, objs []render.Object) error {
			var err error
			baseFindings, err = lintFindings(ctx, m, objs, opts.Now)
			return err
		})
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

	var baseModel *schema.Model
	if isSpec {
		baseModel = sb.specModel()
	}
	envs := newEnvironments(opts.Model)
	if baseModel != nil {
		envs.addModel(baseModel)
	}
	if bt, ok := opts.Baseline.(environmentTiers); ok {
		envs.addTiers(bt.environmentTiers())
	}
	p := &Plan{Platform: opts.Model.Platform.Name, Baseline: opts.Baseline.Describe(), SpecBaseline: isSpec}
	objects, err := compare(ctx, covered, wantContents, baseInScope, baseInScopeContents)
	if err != nil {
		return nil, err
	}
	if cr, ok := opts.Baseline.(conflictReporter); ok {
		for i := range objects {
			if objects[i].Action == ActionUpdate {
				objects[i].Conflict = cr.conflict(objects[i].Env, objects[i].Name)
			}
		}
	}
	p.Environments = envs.list(objects)
	// Changes list their environments prod first: where review looks.
	order := make([]string, len(p.Environments))
	for i, e := range p.Environments {
		order[len(order)-1-i] = e.Name
	}
	for i := range objects {
		p.Objects = append(p.Objects, &objects[i])
	}
	sortObjects(p.Objects, order)

	sides := &ratingSides{envs: envs, secrets: opts.Secrets}
	if isSpec {
		bs, err := newSpecSide(baseModel)
		if err != nil {
			return nil, fmt.Errorf("plan: resolve the base specs: %w", err)
		}
		hs, err := newSpecSide(opts.Model)
		if err != nil {
			return nil, err
		}
		edits, err := diffSpecs(bs, hs)
		if err != nil {
			return nil, fmt.Errorf("plan: diff the specs: %w", err)
		}
		edits = scopeEdits(edits, opts.Scope)
		p.Changes = mergeEdits(edits, order)
		sides.base, sides.head = bs, hs
		if err := sides.loadRules(ctx, opts.Model); err != nil {
			return nil, err
		}
	}
	secrets, err := lint.SecretMatcher(opts.Model)
	if err != nil {
		return nil, err
	}
	if baseModel != nil {
		bm, err := lint.SecretMatcher(baseModel)
		if err != nil {
			return nil, fmt.Errorf("plan: the specs at the base: %w", err)
		}
		secrets.Merge(bm)
	}
	secrets.Merge(opts.Secrets)
	sides.secrets = secrets
	markSensitive(p.Changes, secrets)
	if err := rateChanges(ctx, rater, p.Changes, sides, order); err != nil {
		return nil, err
	}
	p.Changes = append(p.Changes, attach(p.Objects, p.Changes, isSpec, order)...)
	p.Changes = groupDefaults(p.Changes, p.Objects, order)
	if opts.Lint {
		var fchanges []*Change
		p.Findings, fchanges = diffFindings(baseFindings, headFindings, isSpec)
		rank := map[string]int{}
		for i, e := range order {
			rank[e] = i
		}
		for i := range p.Findings {
			slices.SortStableFunc(p.Findings[i].Environments, func(a, b string) int { return rank[a] - rank[b] })
		}
		for _, c := range fchanges {
			slices.SortStableFunc(c.Environments, func(a, b string) int { return rank[a] - rank[b] })
		}
		p.Changes = append(p.Changes, fchanges...)
	}
	// Object and finding changes are rated once attached.
	var late []*Change
	for _, c := range p.Changes {
		if c.Risk == "" {
			late = append(late, c)
		}
	}
	if err := rateChanges(ctx, rater, late, sides, order); err != nil {
		return nil, err
	}
	redactSecrets(p.Objects, secrets)
	sortChanges(p.Changes, order)
	p.graph = dependencyGraph(opts.Model)
	p.literals = secrets.Literals()
	return p, nil
}

// dependencyGraph is every caller → callee edge of m, over its
// environments, sorted.
func dependencyGraph(m *schema.Model) map[string][]string {
	g := map[string][]string{}
	for _, env := range m.EnvironmentNames() {
		r, err := m.Resolve(env)
		if err != nil {
			continue
		}
		for name, svc := range r.Services {
			for dep := range svc.Dependencies {
				if !slices.Contains(g[name], dep) {
					g[name] = append(g[name], dep)
				}
			}
		}
	}
	for k := range g {
		sort.Strings(g[k])
	}
	return g
}

// scopeEdits keeps the edits in the scope's environments; edits that are
// not about one environment (platform, policies) are kept.
func scopeEdits(edits []edit, s render.Scope) []edit {
	if len(s.Envs) == 0 {
		return edits
	}
	out := edits[:0]
	for _, e := range edits {
		if e.env == "" || slices.Contains(s.Envs, e.env) {
			out = append(out, e)
		}
	}
	return out
}

// specBaseline is implemented by baselines that hold specs (a git ref):
// the plan diffs their model with the head's.
type specBaseline interface {
	// specModel is the base's model once Objects has run; nil when the
	// base has no specs (everything is new).
	specModel() *schema.Model
	// inspect registers fn, called with the base's model and objects
	// while its spec directory still exists (custom lint policies are
	// read from it).
	inspect(fn func(ctx context.Context, m *schema.Model, objs []render.Object) error)
}

// lintFindings lints m with its rendered objects.
func lintFindings(ctx context.Context, m *schema.Model, objs []render.Object, now time.Time) ([]lint.Finding, error) {
	res, err := lint.Lint(ctx, m, lint.Options{Now: now, Objects: objs})
	if err != nil {
		return nil, fmt.Errorf("plan: lint %s: %w", m.Dir, err)
	}
	return res.Findings, nil
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
// name).
func (e *environments) list(changes []ObjectChange) []Environment {
	seen := map[string]bool{}
	var out []Environment
	for _, name := range e.order {
		seen[name] = true
		out = append(out, Environment{Name: name, Tier: e.tier(name)})
	}
	var extra []string
	for name := range e.tiers {
		if !seen[name] {
			seen[name] = true
			extra = append(extra, name)
		}
	}
	for _, ch := range changes {
		if ch.Env != "" && !seen[ch.Env] {
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
	return out
}

// addModel adds the environments of the base's model.
func (e *environments) addModel(m *schema.Model) {
	for name, env := range m.Environments {
		if _, ok := e.tiers[name]; !ok {
			e.tiers[name] = env.Tier
		}
	}
}

// targetOrder is the order object changes of one environment are listed in.
func targetOrder(t render.Target) int {
	for i, x := range render.AllTargets() {
		if x == t {
			return i
		}
	}
	return len(render.AllTargets())
}

// sortObjects orders object changes by environment (objects spanning
// environments last), target, then name.
func sortObjects(objs []*ObjectChange, order []string) {
	pos := map[string]int{"": len(order)}
	for i, e := range order {
		pos[e] = i
	}
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
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

// scopeRank orders changes of the same risk and service: spec edits
// before the objects and findings they bring.
var scopeRank = map[Scope]int{ScopePlatform: 0, ScopeEnvironment: 1, ScopePolicies: 2, ScopeService: 3, ScopeObjects: 4, ScopeFinding: 5}

// sortChanges orders changes riskiest first, then by service (changes
// about no service first), the highest environment they show in, and path.
func sortChanges(changes []*Change, order []string) {
	pos := map[string]int{}
	for i, e := range order {
		pos[e] = i
	}
	// order is prod first: a change's place is its highest environment.
	top := func(c *Change) int {
		best := len(order)
		for _, e := range c.Environments {
			if p, ok := pos[e]; ok && p < best {
				best = p
			}
		}
		return best
	}
	sort.SliceStable(changes, func(i, j int) bool {
		a, b := changes[i], changes[j]
		if a.Risk.rank() != b.Risk.rank() {
			return a.Risk.rank() > b.Risk.rank()
		}
		if a.group() != b.group() {
			return a.group() < b.group()
		}
		if ta, tb := top(a), top(b); ta != tb {
			return ta < tb
		}
		if ra, rb := scopeRank[a.Scope], scopeRank[b.Scope]; ra != rb {
			return ra < rb
		}
		return a.Path.String() < b.Path.String()
	})
}
