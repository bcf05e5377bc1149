# METADATA
# title: No dependency cycles
# description: >-
#   Services that call each other in a loop share one deadline and one
#   fate: a slowdown anywhere on the loop holds a request at every hop until
#   the deadlines expire, retries and breakers along the loop amplify each
#   other, and none of the services can be started, drained or rolled back
#   on its own.
# custom:
#   id: GOV-DEP-001
#   severity: error
#   remediation: >-
#     Break the cycle: move the shared logic into a service both call, turn
#     one direction into an asynchronous event, or merge the services.
#   examples:
#     fail: |
#       services: {
#       	orders: dependencies: payments: timeout: "800ms"
#       	payments: dependencies: orders: timeout: "200ms"
#       }
#     pass: |
#       services: {
#       	orders: dependencies: payments: timeout: "800ms"
#       	payments: dependencies: users: timeout: "200ms"
#       }
package govctl.rules.dep_001

calls := {name: object.keys(object.get(svc, "dependencies", {})) | some name, svc in input.services}

reach := {name: graph.reachable(calls, {name}) | some name, _ in calls}

# Services that reach each other form one cycle group (a strongly connected
# component). Each group is reported once, on its alphabetically first
# service, with the shortest cycle through it; listing every cycle of a
# tangled group would be noise, and enumerating them takes exponential time.
violation contains f if {
	some name, _ in calls
	group := {other | some other in reach[name]; name in reach[other]}
	count(group) > 1
	name == min(group)
	cycle := shortest_cycle(group, name)
	f := {
		"msg": sprintf("dependency cycle %s%s", [concat(" → ", cycle), rest_of_group(group, cycle)]),
		"service": name,
		"path": sprintf("dependencies.%s", [cycle[1]]),
	}
}

# The loader rejects a service that depends on itself; a custom engine
# input may still carry one.
violation contains f if {
	some name, callees in calls
	name in callees
	f := {
		"msg": sprintf("dependency cycle %s → %s", [name, name]),
		"service": name,
		"path": sprintf("dependencies.%s", [name]),
	}
}

rest_of_group(group, cycle) := "" if {
	count(group) == count(cycle) - 1
} else := sprintf(" (%d services call each other in cycles: %s)", [count(group), concat(", ", sort(group))])

# shortest_cycle returns the shortest cycle from start back to it within
# group, preferring alphabetically first services at each step.
shortest_cycle(group, start) := array.concat(walk, [start]) if {
	g := {x: {y | some y in calls[x]; y in group; y != x} | some x in group}
	back := {y: {x | some x, ys in g; y in ys} | some y in group}
	from := distances(g, group, start)
	to := distances(back, group, start)
	length := min({n | some x, ys in g; start in ys; n := from[x] + 1})
	steps := {x: {step(g, from, to, length, start, x)} |
		some x in group
		on_shortest_cycle(from, to, length, start, x)
	}
	some walk in graph.reachable_paths(steps, {start})
}

on_shortest_cycle(_, _, _, start, start)

on_shortest_cycle(from, to, length, _, x) if from[x] + to[x] == length

step(g, from, to, length, start, x) := start if {
	from[x] == length - 1
} else := min({y |
	some y in g[x]
	from[y] == from[x] + 1
	to[y] == (length - from[x]) - 1
})

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
