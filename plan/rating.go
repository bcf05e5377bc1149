package plan

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/schema"
)

// ratingSides is what the risk rules see besides the change: both sides'
// resolved models and the lint rules' parameter directions.
type ratingSides struct {
	base, head *specSide
	envs       *environments
	secrets    *secret.Matcher
	// looser maps rule id → parameter → "higher" | "lower".
	looser map[string]map[string]string
	// severity maps rule id → the severity its METADATA declares.
	severity map[string]string
}

func (s *ratingSides) loadRules(ctx context.Context, m *schema.Model) error {
	settings, err := lint.Rules(ctx, m, lint.Options{})
	if err != nil {
		return fmt.Errorf("plan: read the lint rules: %w", err)
	}
	s.looser = map[string]map[string]string{}
	s.severity = map[string]string{}
	for _, st := range settings {
		s.severity[st.Rule.ID] = string(st.Rule.Severity)
		dirs := map[string]string{}
		for _, p := range st.Rule.Params {
			if p.Looser != "" {
				dirs[p.Name] = p.Looser
			}
		}
		s.looser[st.Rule.ID] = dirs
	}
	return nil
}

// highestTier is the highest tier of the head's environments.
func (s *ratingSides) highestTier() schema.Tier {
	best := schema.TierDev
	for _, t := range s.envs.tiers {
		if tierRank(t) > tierRank(best) {
			best = t
		}
	}
	return best
}

// markSensitive flags service changes whose values are sensitive (the one
// definition: secret.Matcher, GOV-SEC-003's patterns and config.sensitive),
// so that no report shows them and the risk rules see it. Literal is set
// when the new value is itself a sensitive literal (not a placeholder such
// as ${DB_PASSWORD}).
func markSensitive(changes []*Change, m *secret.Matcher) {
	if m == nil {
		return
	}
	for _, c := range changes {
		if c.Scope != ScopeService || len(c.Path) <= 2 {
			continue
		}
		rel := c.relPath()
		from, to := containsSensitive(m, c.Service, rel, c.From), containsSensitive(m, c.Service, rel, c.To)
		if from || to {
			c.Sensitive = true
			c.Literal = to
		}
	}
}

func containsSensitive(m *secret.Matcher, service string, p fieldpath.Path, v any) bool {
	if v == nil {
		return false
	}
	return canonicalJSON(m.Redact(service, p, v)) != canonicalJSON(v)
}

// rateChanges rates every change in each environment it shows in; a change
// about no environment (platform, policies, findings) once, at the highest
// tier it reaches.
func rateChanges(ctx context.Context, r *Rater, changes []*Change, sides *ratingSides, order []string) error {
	for _, c := range changes {
		if err := ctx.Err(); err != nil {
			return err
		}
		envs := c.Environments
		if c.Scope == ScopePlatform || c.Scope == ScopePolicies {
			envs = []string{""}
		}
		if len(envs) == 0 {
			envs = []string{""}
		}
		c.Risks = map[string]Risk{}
		var best Rating
		for _, env := range envs {
			rt, err := r.Rate(ctx, sides.input(c, env))
			if err != nil {
				return fmt.Errorf("rate %s: %w", c.Title(), err)
			}
			if env != "" {
				c.Risks[env] = rt.Risk
			}
			if best.Risk == "" || rt.Risk.rank() > best.Risk.rank() {
				best = rt
			}
		}
		c.Risk, c.Reason, c.Rule = best.Risk, best.Reason, best.Rule
		if len(c.Risks) == 0 {
			c.Risks = nil
		}
	}
	return nil
}

// segments is a path as the risk rules see it: names and positions.
func segments(p fieldpath.Path) []any {
	out := make([]any, len(p))
	for i, s := range p {
		if s.IsIndex {
			out[i] = s.Index
		} else {
			out[i] = s.Name
		}
	}
	return out
}

// input builds the risk rules' input document for c in env (RiskInput).
func (s *ratingSides) input(c *Change, env string) RiskInput {
	tier := s.highestTier()
	if env != "" {
		tier = s.envs.tier(env)
	}
	tiers := map[string]any{}
	for name, t := range s.envs.tiers {
		tiers[name] = string(t)
	}
	rel := c.relPath()
	in := RiskInput{
		"scope":         string(c.Scope),
		"action":        string(c.Action),
		"service":       c.Service,
		"env":           env,
		"tier":          string(tier),
		"tiers":         tiers,
		"path":          c.Path.String(),
		"field":         rel.String(),
		"segments":      segments(rel),
		"sensitive":     c.Sensitive,
		"literal":       c.Literal,
		"spec_baseline": s.head != nil,
	}
	if c.From != nil {
		in["from"] = c.From
	}
	if c.To != nil {
		in["to"] = c.To
	}
	if s.head == nil {
		in["objects"] = objectsInput(c, env)
		return in
	}
	side := func(sp *specSide, what string) any {
		if sp == nil || env == "" {
			return nil
		}
		r := sp.resolved[env]
		if r == nil {
			return nil
		}
		switch what {
		case "environment":
			v, _ := generic(r.Environment)
			return v
		default:
			svc := r.Services[c.Service]
			if svc == nil {
				return nil
			}
			v, _ := generic(svc)
			return v
		}
	}
	if c.Scope == ScopeService {
		if v := side(s.base, "service"); v != nil {
			in["before"] = v
		}
		if v := side(s.head, "service"); v != nil {
			in["after"] = v
		}
		var callers []any
		if r := s.head.resolved[env]; r != nil {
			for _, name := range r.ServiceNames() {
				if _, ok := r.Services[name].Dependencies[c.Service]; ok {
					callers = append(callers, name)
				}
			}
		}
		in["callers"] = callers
	}
	envDoc := map[string]any{}
	if v := side(s.base, "environment"); v != nil {
		envDoc["before"] = v
	}
	if v := side(s.head, "environment"); v != nil {
		envDoc["after"] = v
	}
	in["environment"] = envDoc
	pol := map[string]any{}
	if s.base != nil && s.base.m != nil && s.base.m.Policies != nil {
		pol["before"], _ = generic(s.base.m.Policies)
	}
	if s.head.m.Policies != nil {
		pol["after"], _ = generic(s.head.m.Policies)
	}
	in["policies"] = pol
	if c.Scope == ScopePolicies && len(rel) >= 2 && rel[0].Name == "rules" {
		id := rel[1].Name
		params := map[string]any{}
		for name, dir := range s.looser[id] {
			params[name] = map[string]any{"looser": dir}
		}
		in["rule"] = map[string]any{"id": id, "params": params, "severity": s.severity[id]}
	}
	if c.Scope == ScopeObjects {
		in["objects"] = objectsInput(c, env)
	}
	if c.Finding != nil {
		in["finding"] = map[string]any{"rule": c.Finding.Rule, "severity": c.Finding.Severity, "message": c.Finding.Message, "new": c.Finding.New}
	}
	return in
}

// objectsInput are the change's objects in env (and those spanning
// environments); every object when env is "".
func objectsInput(c *Change, env string) []any {
	out := []any{}
	for _, o := range c.Objects {
		if env != "" && o.Env != "" && o.Env != env {
			continue
		}
		out = append(out, map[string]any{"action": string(o.Action), "kind": o.ID.Kind, "name": o.Name, "env": o.Env, "target": string(o.Target)})
	}
	return out
}

// attach makes every object change the evidence of the spec change that
// causes it, and returns the changes for objects no spec change explains:
// one per service with no spec baseline, else one for all of them.
func attach(objs []*ObjectChange, changes []*Change, spec bool, order []string) []*Change {
	if !spec {
		byGroup := map[string]*Change{}
		var out []*Change
		for _, o := range objs {
			c := byGroup[o.Service]
			if c == nil {
				c = &Change{Scope: ScopeObjects, Service: o.Service, Action: ActionUpdate,
					Reason: "compared with rendered output only (no spec baseline): what the spec edit was is not known"}
				byGroup[o.Service] = c
				out = append(out, c)
			}
			addObject(c, o, order)
		}
		for _, c := range out {
			c.Action = objectsAction(c.Objects)
		}
		return out
	}
	var unexplained *Change
	explain := func() *Change {
		if unexplained == nil {
			unexplained = &Change{Scope: ScopeObjects, Action: ActionUpdate,
				Reason: "rendered output changed without a spec change: a new govctl version or template"}
		}
		return unexplained
	}
	for _, o := range objs {
		cands := candidates(o, changes)
		if o.Action != ActionUpdate || len(o.Fields) == 0 {
			c := riskiest(cands)
			if c == nil {
				c = explain()
			}
			addObject(c, o, order)
			continue
		}
		// Each field is the evidence of the edit that carries it: an
		// orders bootstrap holds orders' own settings and, under
		// clients.payments, those of payments.
		parts := map[*Change][]FieldDiff{}
		var causes []*Change
		for _, f := range o.Fields {
			c := fieldCause(o, f, cands, changes)
			if c == nil {
				c = explain()
			}
			if _, ok := parts[c]; !ok {
				causes = append(causes, c)
			}
			parts[c] = append(parts[c], f)
		}
		if len(causes) == 1 {
			addObject(causes[0], o, order)
			continue
		}
		for i, c := range causes {
			view := *o
			view.Fields = parts[c]
			addObject(c, &view, order)
			if i == 0 {
				o.Cause = c
			}
		}
	}
	if unexplained == nil {
		return nil
	}
	return []*Change{unexplained}
}

// riskiest is the riskiest of cands (the first among equals); nil when
// there is none.
func riskiest(cands []*Change) *Change {
	var best *Change
	for _, c := range cands {
		if best == nil || c.Risk.rank() > best.Risk.rank() {
			best = c
		}
	}
	return best
}

// fieldCause picks the change a field of an object is evidence of: among
// the object's candidates and the changes of services the field's path
// names (clients.payments…), the one whose old and new values the field
// has, else the candidate whose field name the path has, else the riskiest
// candidate.
func fieldCause(o *ObjectChange, f FieldDiff, cands, changes []*Change) *Change {
	names := map[string]bool{}
	for _, s := range f.segments {
		if n, ok := s.(string); ok {
			names[n] = true
		}
	}
	var cross []*Change
	for _, c := range changes {
		if c.Scope == ScopeService && c.Service != o.Service && names[c.Service] && (o.Env == "" || c.In(o.Env)) {
			cross = append(cross, c)
		}
	}
	for _, c := range append(slices.Clone(cands), cross...) {
		if valuesMatch(f, c) {
			return c
		}
	}
	for _, c := range cands {
		if nameMatch(f, c) {
			return c
		}
	}
	if c := riskiest(cands); c != nil {
		return c
	}
	return riskiest(cross)
}

// objectsAction is create when every object is created, delete when every
// one is deleted, else update.
func objectsAction(objs []*ObjectChange) Action {
	a := objs[0].Action
	for _, o := range objs[1:] {
		if o.Action != a {
			return ActionUpdate
		}
	}
	return a
}

func addObject(c *Change, o *ObjectChange, order []string) {
	c.Objects = append(c.Objects, o)
	o.Cause = c
	if c.Scope == ScopeObjects && o.Env != "" && !slices.Contains(c.Environments, o.Env) {
		c.Environments = append(c.Environments, o.Env)
		rank := map[string]int{}
		for i, e := range order {
			rank[e] = i
		}
		slices.SortStableFunc(c.Environments, func(a, b string) int { return rank[a] - rank[b] })
	}
}

// candidates are the spec changes an object change may be evidence of, the
// first non-empty of: a change of the object's service in its environment
// (a rename included), a dependency on the service, a whole service that
// called it, a service's change an edit of the defaults causes, a change of
// its environment, a platform change.
func candidates(o *ObjectChange, changes []*Change) []*Change {
	envOK := func(c *Change) bool { return o.Env == "" || c.In(o.Env) }
	tiers := []func(c *Change) bool{
		func(c *Change) bool {
			return c.Scope == ScopeService && o.Service != "" && (c.Service == o.Service || (c.Action == ActionRename && len(c.Path) == 2 && c.From == o.Service))
		},
		func(c *Change) bool {
			if c.Scope != ScopeService || o.Service == "" || len(c.Path) < 4 || c.Path[2].Name != "dependencies" {
				return false
			}
			return c.Path[3].Name == o.Service || (c.Action == ActionRename && c.From == o.Service)
		},
		func(c *Change) bool {
			return c.Scope == ScopeService && o.Service != "" && len(c.Path) == 2 && c.calls[o.Service]
		},
		// An edit of the defaults reaches its services' callers too: their
		// bootstraps hold the callees' client settings (and the hash of
		// the bootstrap is on their Deployments).
		func(c *Change) bool { return c.Scope == ScopeService && c.defaults != nil },
		func(c *Change) bool { return c.Scope == ScopeEnvironment },
		func(c *Change) bool { return c.Scope == ScopeService && o.Service == "" },
		func(c *Change) bool { return c.Scope == ScopePlatform },
	}
	for _, inTier := range tiers {
		var cands []*Change
		for _, c := range changes {
			if inTier(c) && envOK(c) {
				cands = append(cands, c)
			}
		}
		if len(cands) > 0 {
			return cands
		}
	}
	return nil
}

// valuesMatch reports whether a field diff has the spec change's old and
// new values.
func valuesMatch(f FieldDiff, c *Change) bool {
	return c.From != nil && c.To != nil && f.Before != nil && f.After != nil &&
		valueText(f.Before) == valueText(c.From) && valueText(f.After) == valueText(c.To)
}

// nameMatch reports whether a field's path has the spec change's field name.
func nameMatch(f FieldDiff, c *Change) bool {
	if len(c.Path) == 0 {
		return false
	}
	return strings.Contains(strings.ToLower(f.Path), strings.ToLower(c.Path.Last().Name))
}

func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return canonicalJSON(v)
}

// diffFindings returns the findings head has and base has not (new) and
// those base has and head has not (fixed), and a change for each new one.
// Without a spec baseline there is nothing to compare with: none.
func diffFindings(base, head []lint.Finding, spec bool) ([]FindingRef, []*Change) {
	if !spec {
		return nil, nil
	}
	key := func(f lint.Finding) string { return f.RuleID + "|" + f.Service + "|" + f.Path + "|" + f.Message }
	index := func(fs []lint.Finding) map[string]lint.Finding {
		m := map[string]lint.Finding{}
		for _, f := range fs {
			if !f.Suppressed {
				m[key(f)] = f
			}
		}
		return m
	}
	b, h := index(base), index(head)
	var refs []FindingRef
	var changes []*Change
	ref := func(f lint.Finding, isNew bool) FindingRef {
		return FindingRef{Rule: f.RuleID, Severity: string(f.Severity), Message: f.Message, Service: f.Service,
			Environments: f.Environments, Path: f.Path, Pos: f.Pos.String(), New: isNew}
	}
	for _, f := range head {
		if _, ok := b[key(f)]; ok || f.Suppressed {
			continue
		}
		r := ref(f, true)
		refs = append(refs, r)
		path, _ := fieldpath.Parse(f.Path)
		if f.Service != "" && len(path) > 0 {
			path = append(fieldpath.New("services", f.Service), path...)
		}
		changes = append(changes, &Change{Scope: ScopeFinding, Service: f.Service, Environments: f.Environments,
			Path: path, Action: ActionCreate, Pos: f.Pos, Finding: &r})
	}
	for _, f := range base {
		if _, ok := h[key(f)]; ok || f.Suppressed {
			continue
		}
		refs = append(refs, ref(f, false))
	}
	return refs, changes
}

// writeScrubbed writes s to w with every sensitive literal of the model
// replaced by SensitiveMarker: defence in depth for values reports embed
// as text (a config entry's content, a reason quoting a value).
func writeScrubbed(w io.Writer, p *Plan, s string) error {
	_, err := io.WriteString(w, secret.ScrubString(s, p.literals...))
	return err
}
