package schema

import (
	"maps"
	"slices"

	"github.com/govctl/govctl/internal/fieldpath"
)

// ServicesIn returns the services the user set anything of in files
// (spec-relative, slash-separated), sorted, and whether those files also set
// something other than services (the platform, an environment, policies):
// a change to such a file can affect every service.
func (m *Model) ServicesIn(files []string) (services []string, platformWide bool) {
	in := map[string]bool{}
	for _, f := range files {
		in[f] = true
	}
	found := map[string]bool{}
	for path, pos := range m.positions {
		if !in[pos.File] {
			continue
		}
		name, ok := serviceOf(path)
		if !ok {
			platformWide = true
			continue
		}
		if m.Services[name] != nil {
			found[name] = true
		}
	}
	return slices.Sorted(maps.Keys(found)), platformWide
}

// serviceOf returns the service a position key is under (services.orders.x
// gives orders); ok is false for paths outside services and for the
// services struct itself.
func serviceOf(path string) (name string, ok bool) {
	p, err := fieldpath.Parse(path)
	if err != nil || len(p) < 2 || p[0].Name != "services" || p[1].IsIndex {
		return "", false
	}
	return p[1].Name, true
}

// Subset returns the model with only the named services: what commands
// that report on some services (a pre-commit lint of one file) work on
// instead of the whole platform. The platform, environments, policies and
// positions are shared with m; unknown names are ignored.
func (m *Model) Subset(names []string) *Model {
	c := *m
	c.Services = map[string]*ServiceSpec{}
	for _, n := range names {
		if s := m.Services[n]; s != nil {
			c.Services[n] = s
		}
	}
	c.resolved = map[string]*Resolved{}
	for env, r := range m.resolved {
		sub := &Resolved{Platform: r.Platform, Environment: r.Environment, Services: map[string]*Service{}, model: &c}
		for n := range c.Services {
			if s := r.Services[n]; s != nil {
				sub.Services[n] = s
			}
		}
		c.resolved[env] = sub
	}
	c.Files = slices.Clone(m.Files)
	return &c
}
