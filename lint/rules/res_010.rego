# METADATA
# title: A fallback does not depend on the service it replaces
# description: >-
#   A fallback exists to answer while its service is failing. When the
#   fallback calls that service, directly or through others, with a hard
#   dependency, it fails for the same reason at the same moment, and the
#   degradation path doubles the load on the broken service instead of
#   relieving it.
# custom:
#   id: GOV-RES-010
#   severity: error
#   reads: connected
#   remediation: >-
#     Serve the fallback from data it owns (a cache or a replica), or mark
#     the dependency on the degraded service optional so the fallback answers
#     without it.
#   examples:
#     fail: |
#       services: {
#       	orders: resilience: degradation: {warnAt: 0.05, degradeAt: 0.2, fallbackTo: "orders-lite"}
#       	"orders-lite": dependencies: orders: timeout: "200ms"
#       }
#     pass: |
#       services: {
#       	orders: resilience: degradation: {warnAt: 0.05, degradeAt: 0.2, fallbackTo: "orders-lite"}
#       	"orders-lite": dependencies: orders: {timeout: "200ms", optional: true}
#       }
package govctl.rules.res_010

hard := {name: {callee |
	some callee, call in object.get(svc, "dependencies", {})
	not call.optional
} |
	some name, svc in input.services
}

hard_callers := {callee: {caller | some caller, callees in hard; callee in callees} | some callee, _ in hard}

# Distances over hard dependencies, from a service and to a service; each is
# computed only for the services a finding needs.
from_distances[x] := distances(hard, x) if some x, _ in hard

to_distances[x] := distances(hard_callers, x) if some x, _ in hard

violation contains f if {
	some name, svc in input.services
	fallback := svc.resilience.degradation.fallbackTo
	fallback != name
	from_distances[fallback][name]
	chain := shortest_path(fallback, name)
	f := {
		"msg": sprintf("fallback %s depends on %s, the service it replaces (%s): it fails together with it", [fallback, name, concat(" → ", chain)]),
		"service": name,
		"path": "resilience.degradation.fallbackTo",
	}
}

# shortest_path returns the shortest chain of hard dependencies from start to
# end, preferring alphabetically first services at each step.
shortest_path(start, end) := walk if {
	from := from_distances[start]
	to := to_distances[end]
	steps := {x: next |
		some x, d in from
		d + to[x] == from[end]
		next := {y | x != end; y := min({y | some y in hard[x]; from[y] == d + 1; to[y] == to[x] - 1})}
	}
	some walk in graph.reachable_paths(steps, {start})
}

# levels lists what starts reach in g by distance: levels[k] holds the nodes
# k calls away, up to 64, in blocks of eight so that a shallow graph stops
# after the first block. graph.reachable is not used on call graphs: it
# expands a node again each time it was queued, which is exponential on a
# large graph with cycles, and it cannot measure distance.
levels(g, starts) := array.concat([starts], block_1(g, starts, starts))

block_1(g, frontier, seen) := array.concat(found, more_1(g, found[7], reached)) if {
	[found, reached] := eight_levels(g, frontier, seen)
}

more_1(_, frontier, _) := [] if count(frontier) == 0

more_1(g, frontier, seen) := block_2(g, frontier, seen) if count(frontier) > 0

block_2(g, frontier, seen) := array.concat(found, more_2(g, found[7], reached)) if {
	[found, reached] := eight_levels(g, frontier, seen)
}

more_2(_, frontier, _) := [] if count(frontier) == 0

more_2(g, frontier, seen) := block_3(g, frontier, seen) if count(frontier) > 0

block_3(g, frontier, seen) := array.concat(found, more_3(g, found[7], reached)) if {
	[found, reached] := eight_levels(g, frontier, seen)
}

more_3(_, frontier, _) := [] if count(frontier) == 0

more_3(g, frontier, seen) := block_4(g, frontier, seen) if count(frontier) > 0

block_4(g, frontier, seen) := array.concat(found, more_4(g, found[7], reached)) if {
	[found, reached] := eight_levels(g, frontier, seen)
}

more_4(_, frontier, _) := [] if count(frontier) == 0

more_4(g, frontier, seen) := block_5(g, frontier, seen) if count(frontier) > 0

block_5(g, frontier, seen) := array.concat(found, more_5(g, found[7], reached)) if {
	[found, reached] := eight_levels(g, frontier, seen)
}

more_5(_, frontier, _) := [] if count(frontier) == 0

more_5(g, frontier, seen) := block_6(g, frontier, seen) if count(frontier) > 0

block_6(g, frontier, seen) := array.concat(found, more_6(g, found[7], reached)) if {
	[found, reached] := eight_levels(g, frontier, seen)
}

more_6(_, frontier, _) := [] if count(frontier) == 0

more_6(g, frontier, seen) := block_7(g, frontier, seen) if count(frontier) > 0

block_7(g, frontier, seen) := array.concat(found, more_7(g, found[7], reached)) if {
	[found, reached] := eight_levels(g, frontier, seen)
}

more_7(_, frontier, _) := [] if count(frontier) == 0

more_7(g, frontier, seen) := block_8(g, frontier, seen) if count(frontier) > 0

block_8(g, frontier, seen) := found if {
	[found, _] := eight_levels(g, frontier, seen)
}

eight_levels(g, l0, s0) := [[l1, l2, l3, l4, l5, l6, l7, l8], s8] if {
	[l1, s1] := next_level(g, l0, s0)
	[l2, s2] := next_level(g, l1, s1)
	[l3, s3] := next_level(g, l2, s2)
	[l4, s4] := next_level(g, l3, s3)
	[l5, s5] := next_level(g, l4, s4)
	[l6, s6] := next_level(g, l5, s5)
	[l7, s7] := next_level(g, l6, s6)
	[l8, s8] := next_level(g, l7, s7)
}

next_level(g, frontier, seen) := [found, (seen | found)] if {
	found := {y | some x in frontier; some y in g[x]; not y in seen}
}

# distances maps every node start reaches in g to the length of its shortest
# path from start.
distances(g, start) := {x: k | some k, level in levels(g, {start}); some x in level}
