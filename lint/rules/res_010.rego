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

violation contains f if {
	some name, svc in input.services
	fallback := svc.resilience.degradation.fallbackTo
	fallback != name
	name in graph.reachable(hard, {fallback})
	chain := shortest_path(fallback, name)
	f := {
		"msg": sprintf("fallback %s depends on %s, the service it replaces (%s): it fails together with it", [fallback, name, concat(" → ", chain)]),
		"service": name,
		"path": "resilience.degradation.fallbackTo",
	}
}

# shortest_path returns the shortest chain of hard dependencies from start to
# end, preferring alphabetically first services at each step. Only services
# on some path from start to end take part.
shortest_path(start, end) := walk if {
	nodes := {x | some x in graph.reachable(hard, {start}); end in graph.reachable(hard, {x})}
	g := {x: {y | some y in hard[x]; y in nodes} | some x in nodes}
	back := {y: {x | some x, ys in g; y in ys} | some y in nodes}
	from := distances(g, nodes, start)
	to := distances(back, nodes, end)
	steps := {x: next |
		some x in nodes
		from[x] + to[x] == from[end]
		next := {y | x != end; y := min({y | some y in g[x]; from[y] == from[x] + 1; to[y] == to[x] - 1})}
	}
	some walk in graph.reachable_paths(steps, {start})
}

# distances maps every node of nodes that start reaches within them to the
# length of its shortest path from start. It walks a graph of (node, step)
# pairs, which graph.reachable explores natively, so no path is enumerated.
distances(g, nodes, start) := {x: min(found) |
	steps := count(nodes)
	layered := {sprintf("%s %d", [a, i]): {sprintf("%s %d", [b, i + 1]) | i < steps; some b in g[a]} |
		some a in nodes
		some i in numbers.range(0, steps)
	}
	reached := graph.reachable(layered, {sprintf("%s 0", [start])})
	some x in nodes
	found := {i | some i in numbers.range(0, steps); sprintf("%s %d", [x, i]) in reached}
	count(found) > 0
}
