package plan

import (
	"fmt"
	"slices"
	"strings"
)

// groupDefaults replaces the service changes that one edit of
// platform.defaults or of an environment's defaults causes (rated and
// given their evidence service by service, as the risk rules read a
// service) by one change at the defaults field (issue 15: one change per
// spec edit): it lists the services and environments the edit reaches,
// holds their objects as its evidence and takes the highest of their
// ratings, in each environment and overall.
func groupDefaults(changes []*Change, objs []*ObjectChange, order []string) []*Change {
	type key struct{ path, action, from, to, pos string }
	groups := map[key]*Change{}
	members := map[*Change]*Change{}
	var out []*Change
	for _, c := range changes {
		if c.defaults == nil {
			out = append(out, c)
			continue
		}
		k := key{c.defaults.String(), string(c.Action), canonicalJSON(c.From), canonicalJSON(c.To), c.Pos.String()}
		g := groups[k]
		if g == nil {
			scope := ScopePlatform
			if c.defaults[0].Name == "environments" {
				scope = ScopeEnvironment
			}
			g = &Change{Scope: scope, Path: c.defaults, Action: c.Action, From: c.From, To: c.To, Pos: c.Pos, Risks: map[string]Risk{}}
			groups[k] = g
			out = append(out, g)
		}
		members[c] = g
		g.Services = append(g.Services, c.Service)
		if g.serviceRisk == nil {
			g.serviceRisk = map[string]Risk{}
		}
		if r := g.serviceRisk[c.Service]; r == "" || c.Risk.rank() > r.rank() {
			g.serviceRisk[c.Service] = c.Risk
		}
		g.Sensitive = g.Sensitive || c.Sensitive
		g.Literal = g.Literal || c.Literal
		for _, e := range c.Environments {
			if !slices.Contains(g.Environments, e) {
				g.Environments = append(g.Environments, e)
			}
			if r, ok := c.Risks[e]; ok && (g.Risks[e] == "" || r.rank() > g.Risks[e].rank()) {
				g.Risks[e] = r
			}
		}
		if g.Risk == "" || c.Risk.rank() > g.Risk.rank() {
			g.Risk, g.Reason, g.Rule = c.Risk, c.Reason, c.Rule
		}
		for _, o := range c.Objects {
			g.Objects = mergeObject(g.Objects, o)
		}
	}
	if len(groups) == 0 {
		return changes
	}
	rank := map[string]int{}
	for i, e := range order {
		rank[e] = i
	}
	for _, g := range groups {
		slices.Sort(g.Services)
		g.Services = slices.Compact(g.Services)
		slices.SortStableFunc(g.Environments, func(a, b string) int { return rank[a] - rank[b] })
		if len(g.Risks) == 0 {
			g.Risks = nil
		}
		g.Reason += "; " + reachText(g.Services)
		for _, o := range g.Objects {
			o.Cause = g
		}
		sortObjects(g.Objects, order)
	}
	// An object whose fields are the evidence of several changes is held
	// by each as a view of its own; the object itself names the first.
	for _, o := range objs {
		if g, ok := members[o.Cause]; ok {
			o.Cause = g
		}
	}
	for _, c := range out {
		for _, o := range c.Objects {
			if g, ok := members[o.Cause]; ok {
				o.Cause = g
			}
		}
	}
	return out
}

// mergeObject adds o to objs, where a view of the same object (another
// service's fields of a caller's bootstrap) may be already: the two views
// become one with the fields of both, in the object's own order.
func mergeObject(objs []*ObjectChange, o *ObjectChange) []*ObjectChange {
	for i, prev := range objs {
		if prev.Env != o.Env || prev.Target != o.Target || prev.Name != o.Name {
			continue
		}
		merged := *prev
		merged.Fields = slices.Clone(prev.Fields)
		for _, f := range o.Fields {
			if !slices.ContainsFunc(merged.Fields, func(g FieldDiff) bool { return g.Path == f.Path && g.Op == f.Op }) {
				merged.Fields = append(merged.Fields, f)
			}
		}
		slices.SortStableFunc(merged.Fields, func(a, b FieldDiff) int { return strings.Compare(a.Path, b.Path) })
		objs[i] = &merged
		return objs
	}
	return append(objs, o)
}

// reachText says how far a defaults edit reaches; the change lists the
// services themselves.
func reachText(services []string) string {
	if len(services) == 1 {
		return "the default reaches only " + services[0]
	}
	return fmt.Sprintf("the default reaches %d services", len(services))
}
