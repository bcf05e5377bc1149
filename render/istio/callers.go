package istio

import (
	"maps"
	"slices"
	"sort"

	"github.com/govctl/govctl/schema"
)

// caller is a service that calls another in the same environment.
type caller struct {
	name string
	// retries is the retry policy the caller declares for the call; nil
	// when it declares none.
	retries *schema.Retries
}

// callersOf returns, for every service of an environment, the services
// that call it, sorted by name. A service calls another when it declares it
// under `dependencies`, or names it as its degradation fallback
// (`resilience.degradation.fallbackTo`): a degraded service hands its
// requests to the fallback itself, so the fallback must accept its calls,
// or degradation would fail exactly when it is needed. A fallback call
// carries no retries: the fallback timeout bounds it.
func callersOf(res *schema.Resolved) map[string][]caller {
	out := map[string][]caller{}
	for _, name := range res.ServiceNames() {
		svc := res.Services[name]
		for _, dep := range slices.Sorted(maps.Keys(svc.Dependencies)) {
			d := svc.Dependencies[dep]
			out[dep] = append(out[dep], caller{name: name, retries: d.Retries})
		}
		if fb := fallbackOf(svc); fb != "" {
			if _, declared := svc.Dependencies[fb]; !declared {
				out[fb] = append(out[fb], caller{name: name})
			}
		}
	}
	for _, cs := range out {
		sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	}
	return out
}

// fallbackOf returns the service's degradation fallback, or "".
func fallbackOf(svc *schema.Service) string {
	if d := svc.Resilience.Degradation; d != nil {
		return d.FallbackTo
	}
	return ""
}

// calleesOf returns the services svc calls, sorted: its dependencies and
// its degradation fallback.
func calleesOf(svc *schema.Service) []string {
	names := slices.Sorted(maps.Keys(svc.Dependencies))
	if fb := fallbackOf(svc); fb != "" {
		if _, declared := svc.Dependencies[fb]; !declared {
			names = append(names, fb)
			sort.Strings(names)
		}
	}
	return names
}
