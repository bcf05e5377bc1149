package lint

import (
	"sort"

	"github.com/govctl/govctl/schema"
)

// Focus returns the part of m a lint of files needs: the services the files
// set anything of, with every service connected to them through
// dependencies and fallbacks in any environment (callers and callees,
// transitively), since rules that read beyond a service read along those
// edges (METADATA custom.reads: connected). Findings about the files are
// then those of a lint of the whole platform, at a cost that grows with the
// part instead of the platform: what keeps a pre-commit hook fast on a
// large platform.
//
// It returns m itself when no part would do: the files set something other
// than services (the platform, an environment, the policies block), name a
// custom policy, or a rule in force may read every service (custom.reads:
// platform, the default for custom policies).
func Focus(m *schema.Model, files []string) (*schema.Model, error) {
	filter := newFileFilter(m.Dir, files)
	if filter == nil {
		return m, nil
	}
	_, settings, err := loadRules(m, Options{})
	if err != nil {
		return nil, err
	}
	for _, s := range settings {
		if filter.names[s.Rule.File] && !s.Rule.Builtin {
			return m, nil
		}
		if s.Enabled && s.Rule.Reads != ReadsConnected {
			return m, nil
		}
	}
	names := make([]string, 0, len(filter.names))
	for n := range filter.names {
		names = append(names, n)
	}
	services, platformWide := m.ServicesIn(names)
	if platformWide {
		return m, nil
	}
	return m.Subset(connected(m, services)), nil
}

// connected returns the services reachable from start along dependency and
// fallback edges, forwards (callees) and backwards (callers), start
// included, sorted.
func connected(m *schema.Model, start []string) []string {
	callees := map[string][]string{}
	callers := map[string][]string{}
	edge := func(from, to string) {
		callees[from] = append(callees[from], to)
		callers[to] = append(callers[to], from)
	}
	for _, env := range m.EnvironmentNames() {
		r, err := m.Resolve(env)
		if err != nil {
			continue
		}
		for name, svc := range r.Services {
			for dep := range svc.Dependencies {
				edge(name, dep)
			}
			if d := svc.Resilience.Degradation; d != nil && d.FallbackTo != "" {
				edge(name, d.FallbackTo)
			}
		}
	}
	seen := map[string]bool{}
	for _, next := range []map[string][]string{callees, callers} {
		visited := map[string]bool{}
		queue := append([]string(nil), start...)
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			if visited[n] {
				continue
			}
			visited[n], seen[n] = true, true
			queue = append(queue, next[n]...)
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
