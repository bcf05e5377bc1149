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

# cycle_of names a shortest cycle through start, or, when none is within 16
# calls, only its first call.
cycle_of(group, start) := cycle if {
	cycle := shortest_cycle(group, start)
} else := [start, min({y | some y in calls[start]; y in group}), "…", start]

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
# k calls away, up to 64. graph.reachable is not used on call graphs: it
# expands a node again each time it was queued, which is exponential on a
# large graph with cycles, and it cannot measure distance.
levels(g, starts) := [l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15, l16, l17, l18, l19, l20, l21, l22, l23, l24, l25, l26, l27, l28, l29, l30, l31, l32, l33, l34, l35, l36, l37, l38, l39, l40, l41, l42, l43, l44, l45, l46, l47, l48, l49, l50, l51, l52, l53, l54, l55, l56, l57, l58, l59, l60, l61, l62, l63, l64] if {
	l0 := starts
	[l1, s1] := next_level(g, l0, l0)
	[l2, s2] := next_level(g, l1, s1)
	[l3, s3] := next_level(g, l2, s2)
	[l4, s4] := next_level(g, l3, s3)
	[l5, s5] := next_level(g, l4, s4)
	[l6, s6] := next_level(g, l5, s5)
	[l7, s7] := next_level(g, l6, s6)
	[l8, s8] := next_level(g, l7, s7)
	[l9, s9] := next_level(g, l8, s8)
	[l10, s10] := next_level(g, l9, s9)
	[l11, s11] := next_level(g, l10, s10)
	[l12, s12] := next_level(g, l11, s11)
	[l13, s13] := next_level(g, l12, s12)
	[l14, s14] := next_level(g, l13, s13)
	[l15, s15] := next_level(g, l14, s14)
	[l16, s16] := next_level(g, l15, s15)
	[l17, s17] := next_level(g, l16, s16)
	[l18, s18] := next_level(g, l17, s17)
	[l19, s19] := next_level(g, l18, s18)
	[l20, s20] := next_level(g, l19, s19)
	[l21, s21] := next_level(g, l20, s20)
	[l22, s22] := next_level(g, l21, s21)
	[l23, s23] := next_level(g, l22, s22)
	[l24, s24] := next_level(g, l23, s23)
	[l25, s25] := next_level(g, l24, s24)
	[l26, s26] := next_level(g, l25, s25)
	[l27, s27] := next_level(g, l26, s26)
	[l28, s28] := next_level(g, l27, s27)
	[l29, s29] := next_level(g, l28, s28)
	[l30, s30] := next_level(g, l29, s29)
	[l31, s31] := next_level(g, l30, s30)
	[l32, s32] := next_level(g, l31, s31)
	[l33, s33] := next_level(g, l32, s32)
	[l34, s34] := next_level(g, l33, s33)
	[l35, s35] := next_level(g, l34, s34)
	[l36, s36] := next_level(g, l35, s35)
	[l37, s37] := next_level(g, l36, s36)
	[l38, s38] := next_level(g, l37, s37)
	[l39, s39] := next_level(g, l38, s38)
	[l40, s40] := next_level(g, l39, s39)
	[l41, s41] := next_level(g, l40, s40)
	[l42, s42] := next_level(g, l41, s41)
	[l43, s43] := next_level(g, l42, s42)
	[l44, s44] := next_level(g, l43, s43)
	[l45, s45] := next_level(g, l44, s44)
	[l46, s46] := next_level(g, l45, s45)
	[l47, s47] := next_level(g, l46, s46)
	[l48, s48] := next_level(g, l47, s47)
	[l49, s49] := next_level(g, l48, s48)
	[l50, s50] := next_level(g, l49, s49)
	[l51, s51] := next_level(g, l50, s50)
	[l52, s52] := next_level(g, l51, s51)
	[l53, s53] := next_level(g, l52, s52)
	[l54, s54] := next_level(g, l53, s53)
	[l55, s55] := next_level(g, l54, s54)
	[l56, s56] := next_level(g, l55, s55)
	[l57, s57] := next_level(g, l56, s56)
	[l58, s58] := next_level(g, l57, s57)
	[l59, s59] := next_level(g, l58, s58)
	[l60, s60] := next_level(g, l59, s59)
	[l61, s61] := next_level(g, l60, s60)
	[l62, s62] := next_level(g, l61, s61)
	[l63, s63] := next_level(g, l62, s62)
	[l64, _] := next_level(g, l63, s63)
}

next_level(g, frontier, seen) := [found, (seen | found)] if {
	found := {y | some x in frontier; some y in g[x]; not y in seen}
}

# reachable is every node starts reach in g, starts included.
reachable(g, starts) := {x | some level in levels(g, starts); some x in level}

# distances maps every node start reaches in g to the length of its shortest
# path from start.
distances(g, start) := {x: k | some k, level in levels(g, {start}); some x in level}
