package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/schema"
)

// Scope is what part of the spec a change is about.
type Scope string

// The scopes of a change.
const (
	// ScopePlatform: the platform block.
	ScopePlatform Scope = "platform"
	// ScopeEnvironment: an environment (its tier, approvals, canary …).
	ScopeEnvironment Scope = "environment"
	// ScopeService: a service as resolved in one or more environments.
	ScopeService Scope = "service"
	// ScopePolicies: the policies block (failOn, rules).
	ScopePolicies Scope = "policies"
	// ScopeObjects: rendered objects with no spec change to explain them
	// (a new govctl version or template), or with no spec baseline to
	// compare with (--against, --nacos).
	ScopeObjects Scope = "objects"
	// ScopeFinding: a lint finding the change introduces or fixes.
	ScopeFinding Scope = "finding"
)

// ActionRename is a service removed and one added with the same content,
// or a dependency that follows such a rename.
const ActionRename Action = "rename"

// Change is one spec edit: a semantic change of the resolved model, in
// every environment it shows in, with the rendered-object changes it causes
// as its evidence.
type Change struct {
	// Scope says what the change is about.
	Scope Scope
	// Service is the service the change is about; "" for platform,
	// environment, policy and unexplained-object changes.
	Service string
	// Environments are where the change shows, in promotion order; empty
	// for a platform or policy change that applies everywhere.
	Environments []string
	// Path is the spec field path: services.orders.replicas,
	// environments.prod.waitTimer, policies.failOn. Empty for object and
	// finding changes.
	Path fieldpath.Path
	// Action is create, update, delete or rename.
	Action Action
	// From and To are the values on either side in generic form; From is
	// nil for a create, To for a delete. A rename has the old and new
	// names.
	From, To any
	// Sensitive is set when From or To is a sensitive value; reports
	// show "(sensitive value changed)" and never the values.
	Sensitive bool
	// Literal is set when a sensitive To is a literal written in the spec
	// (not a reference to a secret store).
	Literal bool
	// Pos is where the head value is set (the base value's for a removal),
	// relative to the spec directory.
	Pos schema.Pos
	// Risk is the highest risk over Environments; Risks the risk in each
	// (key "" for a change rated once, such as a policy change).
	Risk  Risk
	Risks map[string]Risk
	// Reason is the reason of the highest rating, in plain words naming
	// the service and environment.
	Reason string
	// Rule is the risk rule that gave the rating (RISK-REP-001).
	Rule string
	// Objects are the rendered-object changes this edit causes.
	Objects []*ObjectChange
	// Finding is the lint finding of a ScopeFinding change; New says
	// whether the change introduces it (else it fixes it).
	Finding *FindingRef

	// Services are the services an edit of platform.defaults or of an
	// environment's defaults reaches (whose resolved value it changes),
	// sorted; nil for every other change.
	Services []string

	// calls are the services a whole service added, removed or renamed
	// depends on: their objects (AuthorizationPolicy callers) change with it.
	calls map[string]bool
	// defaults is, for a service's change that an edit of the defaults
	// causes, the defaults field (platform.defaults.replicas): such
	// changes are rated and given their evidence one service at a time,
	// then grouped into one change at that field (groupDefaults).
	defaults fieldpath.Path
	// serviceRisk is, for a defaults change, the risk in each service it
	// reaches (the highest over its environments).
	serviceRisk map[string]Risk
}

// FindingRef is a lint finding a plan lists: introduced or fixed by the
// change.
type FindingRef struct {
	Rule         string   `json:"rule"`
	Severity     string   `json:"severity"`
	Message      string   `json:"message"`
	Service      string   `json:"service,omitempty"`
	Environments []string `json:"environments"`
	Path         string   `json:"path,omitempty"`
	Pos          string   `json:"pos"`
	// New is true for a finding in head and not in base, false for a
	// finding the change fixes.
	New bool `json:"new"`
}

// edit is one semantic change in one environment, before edits of several
// environments are merged into one Change.
type edit struct {
	scope   Scope
	service string
	env     string
	path    fieldpath.Path
	action  Action
	from    any
	to      any
	pos     schema.Pos
	// whole is the resolved service of a rename (its new side).
	whole any
	// defaults is the defaults field that causes a service's edit, if one
	// does (defaultsCause).
	defaults fieldpath.Path
}

// specSide is one side of a spec diff: a model and its resolved
// environments.
type specSide struct {
	m        *schema.Model
	resolved map[string]*schema.Resolved
}

func newSpecSide(m *schema.Model) (*specSide, error) {
	s := &specSide{m: m, resolved: map[string]*schema.Resolved{}}
	if m == nil {
		return s, nil
	}
	for _, env := range m.EnvironmentNames() {
		r, err := m.Resolve(env)
		if err != nil {
			return nil, err
		}
		s.resolved[env] = r
	}
	return s, nil
}

// generic converts a model value into the generic form the diff compares
// (maps, lists, strings, json.Number, bools), through its JSON encoding,
// so that every field the model has (and every field a later schema adds)
// takes part without being listed here.
func generic(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// genericOrNil is generic for a value that may be absent.
func genericOrNil(present bool, v any) (any, error) {
	if !present {
		return nil, nil
	}
	return generic(v)
}

// diffSpecs compares the resolved models of base and head and returns
// every semantic change, environment by environment.
func diffSpecs(base, head *specSide) ([]edit, error) {
	var edits []edit
	// posIn returns the position of path in the model of one side.
	posIn := func(m *schema.Model, p fieldpath.Path) schema.Pos {
		if m == nil {
			return schema.Pos{}
		}
		pos, _ := m.PosOf(p)
		return pos
	}
	emitter := func(scope Scope, service, env string, root fieldpath.Path, pos func(p fieldpath.Path, removed bool) schema.Pos) func(p fieldpath.Path, a Action, from, to any) {
		return func(p fieldpath.Path, a Action, from, to any) {
			edits = append(edits, edit{scope: scope, service: service, env: env, path: root.Append(p...), action: a, from: from, to: to, pos: pos(p, a == ActionDelete)})
		}
	}

	// The platform block.
	bp, err := genericOrNil(base.m != nil, platformOf(base.m))
	if err != nil {
		return nil, err
	}
	hp, err := generic(head.m.Platform)
	if err != nil {
		return nil, err
	}
	root := fieldpath.New("platform")
	diffGeneric(nil, bp, hp, emitter(ScopePlatform, "", "", root, func(p fieldpath.Path, removed bool) schema.Pos {
		if removed {
			return posIn(base.m, root.Append(p...))
		}
		return posIn(head.m, root.Append(p...))
	}))

	// Environments.
	for _, env := range unionNames(base.envNames(), head.envNames()) {
		be, hasBase := base.resolved[env]
		he, hasHead := head.resolved[env]
		root := fieldpath.New("environments", env)
		emit := emitter(ScopeEnvironment, "", env, root, func(p fieldpath.Path, removed bool) schema.Pos {
			if removed {
				return posIn(base.m, root.Append(p...))
			}
			return posIn(head.m, root.Append(p...))
		})
		var bv, hv any
		if hasBase {
			if bv, err = generic(be.Environment); err != nil {
				return nil, err
			}
		}
		if hasHead {
			if hv, err = generic(he.Environment); err != nil {
				return nil, err
			}
		}
		switch {
		case !hasBase:
			emit(nil, ActionCreate, nil, hv)
		case !hasHead:
			emit(nil, ActionDelete, bv, nil)
		default:
			diffGeneric(nil, bv, hv, emit)
		}
	}

	// Services, in every environment either side has.
	for _, env := range unionNames(base.envNames(), head.envNames()) {
		var bs, hs map[string]*schema.Service
		if r := base.resolved[env]; r != nil {
			bs = r.Services
		}
		if r := head.resolved[env]; r != nil {
			hs = r.Services
		}
		for _, name := range unionNames(sortedServiceNames(bs), sortedServiceNames(hs)) {
			b, h := bs[name], hs[name]
			root := fieldpath.New("services", name)
			emitService := emitter(ScopeService, name, env, root, func(p fieldpath.Path, removed bool) schema.Pos {
				if removed || h == nil {
					if b == nil {
						return schema.Pos{}
					}
					if len(p) == 0 {
						return b.Pos
					}
					return b.PosOf(p)
				}
				if len(p) == 0 {
					return h.Pos
				}
				return h.PosOf(p)
			})
			emit := func(p fieldpath.Path, a Action, from, to any) {
				emitService(p, a, from, to)
				if b != nil && h != nil {
					edits[len(edits)-1].defaults = defaultsCause(b, h, env, p)
				}
			}
			bv, err := genericOrNil(b != nil, b)
			if err != nil {
				return nil, err
			}
			hv, err := genericOrNil(h != nil, h)
			if err != nil {
				return nil, err
			}
			switch {
			case b == nil:
				emit(nil, ActionCreate, nil, hv)
			case h == nil:
				emit(nil, ActionDelete, bv, nil)
			default:
				diffGeneric(nil, bv, hv, emit)
			}
		}
	}

	// The policies block.
	var bpol, hpol any
	if base.m != nil && base.m.Policies != nil {
		if bpol, err = generic(base.m.Policies); err != nil {
			return nil, err
		}
	}
	if head.m.Policies != nil {
		if hpol, err = generic(head.m.Policies); err != nil {
			return nil, err
		}
	}
	root = fieldpath.New("policies")
	if bpol == nil {
		bpol = map[string]any{}
	}
	if hpol == nil {
		hpol = map[string]any{}
	}
	emitPolicy := emitter(ScopePolicies, "", "", root, func(p fieldpath.Path, removed bool) schema.Pos {
		if removed {
			return posIn(base.m, root.Append(p...))
		}
		return posIn(head.m, root.Append(p...))
	})
	// A rule's block added or removed is each of its settings added or
	// removed: "severity lowered" is about policies.rules.X.severity
	// whether or not the block existed.
	diffGeneric(nil, bpol, hpol, func(p fieldpath.Path, a Action, from, to any) {
		if a == ActionUpdate {
			emitPolicy(p, a, from, to)
			return
		}
		v := from
		if a == ActionCreate {
			v = to
		}
		leaves(p, v, func(q fieldpath.Path, leaf any) {
			if a == ActionCreate {
				emitPolicy(q, a, nil, leaf)
			} else {
				emitPolicy(q, a, leaf, nil)
			}
		})
	})
	return edits, nil
}

// defaultsCause returns the defaults field that changes the field at p of
// a service present on both sides (b and h), or nil when the service's own
// spec does: the field took its value from platform.defaults or env's
// defaults on one side and from no service layer on either.
func defaultsCause(b, h *schema.Service, env string, p fieldpath.Path) fieldpath.Path {
	bo, ho := b.Origin(p).Layer, h.Origin(p).Layer
	own := func(l schema.Layer) bool { return l == schema.LayerService || l == schema.LayerOverlay }
	if own(bo) || own(ho) {
		return nil
	}
	layer := ho
	if layer == schema.LayerSchema {
		layer = bo
	}
	switch layer {
	case schema.LayerPlatform:
		return fieldpath.New("platform", "defaults").Append(p...)
	case schema.LayerEnvironment:
		return fieldpath.New("environments", env, "defaults").Append(p...)
	}
	return nil
}

func platformOf(m *schema.Model) any {
	if m == nil {
		return nil
	}
	return m.Platform
}

func (s *specSide) envNames() []string {
	if s.m == nil {
		return nil
	}
	return s.m.EnvironmentNames()
}

func sortedServiceNames(m map[string]*schema.Service) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// unionNames is a followed by the names of b that a lacks, order kept.
func unionNames(a, b []string) []string {
	out := slices.Clone(a)
	for _, n := range b {
		if !slices.Contains(a, n) {
			out = append(out, n)
		}
	}
	return out
}

// diffGeneric compares two generic values: maps field by field (a field
// on one side only is a create or a delete), everything else (scalars and
// lists) as a whole, so that a list's change is one change with both lists.
func diffGeneric(p fieldpath.Path, a, b any, emit func(fieldpath.Path, Action, any, any)) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			av, ina := am[k]
			bv, inb := bm[k]
			q := p.Field(k)
			switch {
			case !ina && isEmpty(bv), !inb && isEmpty(av):
				// An empty value and no value mean the same.
			case !ina:
				emit(q, ActionCreate, nil, bv)
			case !inb:
				emit(q, ActionDelete, av, nil)
			default:
				diffGeneric(q, av, bv, emit)
			}
		}
		return
	}
	if canonicalJSON(a) == canonicalJSON(b) {
		return
	}
	switch {
	case a == nil:
		emit(p, ActionCreate, nil, b)
	case b == nil:
		emit(p, ActionDelete, a, nil)
	default:
		emit(p, ActionUpdate, a, b)
	}
}

// leaves calls fn for every leaf (scalar or list) under p in v.
func leaves(p fieldpath.Path, v any, fn func(fieldpath.Path, any)) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		fn(p, v)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		leaves(p.Field(k), m[k], fn)
	}
}

// isEmpty reports whether v is a value that says nothing: null, "", an
// empty list or map, false or zero are not empty (they are values).
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// mergeEdits turns the per-environment edits into changes: the same edit
// (scope, service, path, action, values and position) in several
// environments is one change listing them. Services removed and added
// with the same content in every environment become one rename, and a
// dependency that follows the rename is folded into it.
func mergeEdits(edits []edit, envOrder []string) []*Change {
	edits = foldRenames(edits)
	type key struct {
		scope         Scope
		service, path string
		action        Action
		from, to, pos string
		defaults      string
	}
	byKey := map[key]*Change{}
	var out []*Change
	for _, e := range edits {
		from, to := e.from, e.to
		// A whole service or environment added or removed is one change
		// whatever it resolves to in each environment; its objects show
		// what it is.
		if len(e.path) == 2 && (e.scope == ScopeService || e.scope == ScopeEnvironment) && e.action != ActionRename {
			from, to = nil, nil
		}
		k := key{e.scope, e.service, e.path.String(), e.action, canonicalJSON(from), canonicalJSON(to), e.pos.String(), e.defaults.String()}
		c, ok := byKey[k]
		if !ok {
			c = &Change{Scope: e.scope, Service: e.service, Path: e.path, Action: e.action, From: from, To: to, Pos: e.pos, defaults: e.defaults}
			byKey[k] = c
			out = append(out, c)
		}
		if len(e.path) == 2 && e.scope == ScopeService {
			for _, v := range []any{e.from, e.to, e.whole} {
				m, _ := v.(map[string]any)
				deps, _ := m["dependencies"].(map[string]any)
				for d := range deps {
					if c.calls == nil {
						c.calls = map[string]bool{}
					}
					c.calls[d] = true
				}
			}
		}
		if e.env != "" && !slices.Contains(c.Environments, e.env) {
			c.Environments = append(c.Environments, e.env)
		}
	}
	rank := map[string]int{}
	for i, e := range envOrder {
		rank[e] = i
	}
	for _, c := range out {
		sort.SliceStable(c.Environments, func(i, j int) bool { return rank[c.Environments[i]] < rank[c.Environments[j]] })
	}
	return out
}

// foldRenames finds services deleted and created with the same content in
// every environment and replaces their edits with one rename per
// environment; callers' dependencies that move from the old name to the
// new one with the same settings become renames too.
func foldRenames(edits []edit) []edit {
	type sides struct {
		deleted map[string]any // env → resolved service
		created map[string]any
		pos     schema.Pos
	}
	byService := map[string]*sides{}
	get := func(name string) *sides {
		s := byService[name]
		if s == nil {
			s = &sides{deleted: map[string]any{}, created: map[string]any{}}
			byService[name] = s
		}
		return s
	}
	for _, e := range edits {
		if e.scope != ScopeService || len(e.path) != 2 {
			continue
		}
		switch e.action {
		case ActionDelete:
			get(e.service).deleted[e.env] = withoutName(e.from)
		case ActionCreate:
			s := get(e.service)
			s.created[e.env] = withoutName(e.to)
			s.pos = e.pos
		}
	}
	renamed := map[string]string{} // old → new
	var olds, news []string
	for name, s := range byService {
		if len(s.deleted) > 0 && len(s.created) == 0 {
			olds = append(olds, name)
		}
		if len(s.created) > 0 && len(s.deleted) == 0 {
			news = append(news, name)
		}
	}
	sort.Strings(olds)
	sort.Strings(news)
	taken := map[string]bool{}
	for _, o := range olds {
		for _, n := range news {
			if taken[n] || !sameByEnv(byService[o].deleted, byService[n].created) {
				continue
			}
			renamed[o] = n
			taken[n] = true
			break
		}
	}
	if len(renamed) == 0 {
		return edits
	}
	newToOld := map[string]string{}
	for o, n := range renamed {
		newToOld[n] = o
	}
	// Dependencies of callers that follow the rename: delete of
	// dependencies.<old> and create of dependencies.<new> with the same
	// settings, in the same service and environment.
	type depKey struct{ service, env, dep string }
	depDeleted := map[depKey]int{}
	for i, e := range edits {
		if e.scope == ScopeService && len(e.path) == 4 && e.path[2].Name == "dependencies" && e.action == ActionDelete {
			depDeleted[depKey{e.service, e.env, e.path[3].Name}] = i
		}
	}
	drop := map[int]bool{}
	var out []edit
	for _, e := range edits {
		if e.scope != ScopeService {
			out = append(out, e)
			continue
		}
		if len(e.path) == 2 {
			if n, ok := renamed[e.service]; ok && e.action == ActionDelete {
				_ = n
				continue // reported as the rename, from the created side
			}
			if o, ok := newToOld[e.service]; ok && e.action == ActionCreate {
				out = append(out, edit{scope: ScopeService, service: e.service, env: e.env, path: fieldpath.New("services", e.service),
					action: ActionRename, from: o, to: e.service, pos: byService[e.service].pos, whole: e.to})
				continue
			}
		}
		if len(e.path) == 4 && e.path[2].Name == "dependencies" && e.action == ActionCreate {
			if o, ok := newToOld[e.path[3].Name]; ok {
				if j, ok := depDeleted[depKey{e.service, e.env, o}]; ok && canonicalJSON(edits[j].from) == canonicalJSON(e.to) {
					drop[j] = true
					out = append(out, edit{scope: ScopeService, service: e.service, env: e.env, path: e.path,
						action: ActionRename, from: o, to: e.path[3].Name, pos: e.pos})
					continue
				}
			}
		}
		out = append(out, e)
	}
	final := out[:0]
	for _, e := range out {
		if e.scope == ScopeService && len(e.path) == 4 && e.action == ActionDelete && e.path[2].Name == "dependencies" {
			if j, ok := depDeleted[depKey{e.service, e.env, e.path[3].Name}]; ok && drop[j] {
				continue
			}
		}
		final = append(final, e)
	}
	return final
}

func withoutName(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	c := make(map[string]any, len(m))
	for k, x := range m {
		if k != "name" {
			c[k] = x
		}
	}
	return c
}

func sameByEnv(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for env, v := range a {
		w, ok := b[env]
		if !ok || canonicalJSON(v) != canonicalJSON(w) {
			return false
		}
	}
	return true
}

// relPath is the change's path relative to what it is about: the service
// (replicas), the environment (canary.maxErrorRate), the platform or the
// policies block.
func (c *Change) relPath() fieldpath.Path {
	switch c.Scope {
	case ScopeService, ScopeEnvironment:
		if len(c.Path) >= 2 {
			return c.Path[2:]
		}
	case ScopePlatform, ScopePolicies:
		if len(c.Path) >= 1 {
			return c.Path[1:]
		}
	}
	return nil
}

// Subject names what the change is about in reports: the service, the
// environment, "platform", "policies".
func (c *Change) Subject() string {
	switch c.Scope {
	case ScopeService:
		return c.Service
	case ScopeEnvironment:
		if len(c.Path) >= 2 {
			return "environment " + c.Path[1].Name
		}
	case ScopeFinding:
		if c.Finding != nil && c.Finding.Service != "" {
			return c.Finding.Service
		}
		return "platform"
	case ScopeObjects:
		if c.Service != "" {
			return c.Service
		}
		return "rendered output"
	}
	return string(c.Scope)
}

// envSuffix is " · prod, staging" after the subject, or "" when the
// subject names its environment already.
// The environments at the change's risk come first; the others, rated
// lower, follow as "also …".
func (c *Change) envSuffix() string {
	if c.Scope == ScopeEnvironment {
		return ""
	}
	var top, rest []string
	for _, e := range c.Environments {
		if r, ok := c.Risks[e]; ok && r != c.Risk {
			rest = append(rest, e)
		} else {
			top = append(top, e)
		}
	}
	s := " · " + envText(top)
	if len(rest) > 0 {
		s += " · also " + strings.Join(rest, ", ")
	}
	return s
}

// group is the fold a change is listed under: its service, or "platform"
// for everything that is not about one service.
func (c *Change) group() string {
	if c.Scope == ScopeService || (c.Scope == ScopeObjects && c.Service != "") {
		return c.Service
	}
	if c.Scope == ScopeFinding && c.Finding != nil && c.Finding.Service != "" {
		return c.Finding.Service
	}
	return ""
}

// Title is the change in one line: "services.orders.replicas: 6 → 1".
func (c *Change) Title() string {
	switch c.Scope {
	case ScopeObjects:
		if c.Service != "" {
			return "rendered output of " + c.Service
		}
		return "rendered output"
	case ScopeFinding:
		if c.Finding.New {
			return "new finding " + c.Finding.Rule
		}
		return "fixed finding " + c.Finding.Rule
	}
	p := c.Path.String()
	switch c.Action {
	case ActionRename:
		return fmt.Sprintf("%s: renamed %v → %v", p, c.From, c.To)
	case ActionCreate:
		if c.Scope == ScopeService && len(c.Path) == 2 {
			return "service " + c.Service + " added"
		}
		if c.Scope == ScopeEnvironment && len(c.Path) == 2 {
			return "environment " + c.Path[1].Name + " added"
		}
	case ActionDelete:
		if c.Scope == ScopeService && len(c.Path) == 2 {
			return "service " + c.Service + " removed"
		}
		if c.Scope == ScopeEnvironment && len(c.Path) == 2 {
			return "environment " + c.Path[1].Name + " removed"
		}
	}
	return p
}

// envText lists environments for a sentence: "prod", "dev, staging".
func envText(envs []string) string {
	if len(envs) == 0 {
		return "all environments"
	}
	return strings.Join(envs, ", ")
}
