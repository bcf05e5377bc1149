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
#   reads: connected
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

reach := {name: reachable(calls, {name}) | some name, _ in calls}

# Services that reach each other form one cycle group (a strongly connected
# component). Each group is reported once, on its alphabetically first
# service, with the shortest cycle through it; listing every cycle of a
# tangled group would be noise, and enumerating them takes exponential time.
violation contains f if {
	some name, _ in calls
	group := {other | some other in reach[name]; name in reach[other]}
	count(group) > 1
	name == min(group)
	cycle := cycle_of(group, name)
	f := {
		"msg": sprintf("dependency cycle %s%s", [concat(" → ", cycle), rest_of_group(group, cycle)]),
		"service": name,
		"path": first_call(cycle),
	}
}

first_call(cycle) := "dependencies" if {
	cycle[1] == "…"
} else := sprintf("dependencies.%s", [cycle[1]])

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

# cycle_of names a shortest cycle through start; one longer than 64 calls is
# only named by its start.
cycle_of(group, start) := cycle if {
	cycle := shortest_cycle(group, start)
} else := [start, "…", start]

# shortest_cycle returns the shortest cycle from start back to it within
# group, preferring alphabetically first services at each step.
shortest_cycle(group, start) := array.concat(walk, [start]) if {
	g := {x: {y | some y in calls[x]; y in group; y != x} | some x in group}
	back := {y: {x | some x, ys in g; y in ys} | some y in group}
	from := distances(g, start)
	to := distances(back, start)
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

# reachable is every node starts reach in g, starts included.
reachable(g, starts) := {x | some level in levels(g, starts); some x in level}

# distances maps every node start reaches in g to the length of its shortest
# path from start.
distances(g, start) := {x: k | some k, level in levels(g, {start}); some x in level}
