# METADATA
# title: Retry amplification along call paths is bounded
# description: >-
#   Retries multiply along a call path: when every hop retries, one request
#   at the edge becomes (attempts + 1) tries at the first hop, each of which
#   makes (attempts + 1) tries at the next, and so on. When the deepest
#   service slows down, the services above it multiply its load by that
#   product, which turns a brief slowdown into an outage that lasts until
#   the callers give up. Retries belong at one layer of a path, not at all.
# custom:
#   id: GOV-RES-005
#   severity: warning
#   reads: connected
#   remediation: >-
#     Retry at one hop of the path only: set retries.attempts to 0 (or drop
#     retries) on the outer calls and keep them on the call closest to the
#     flaky dependency, or lower attempts along the reported path.
#   params:
#     maxAmplification:
#       type: number
#       default: 10
#       looser: higher
#       minimum: 1
#       description: >-
#         The largest number of tries one request may cause at the end of any
#         call path: the product of (attempts + 1) over its calls. Paths of up
#         to 12 retrying calls are followed, which is exact for limits below
#         4096.
#   examples:
#     fail: |
#       services: {
#       	gateway: dependencies: orders: retries: {attempts: 3, perTryTimeout: "300ms"}
#       	orders: dependencies: payments: retries: {attempts: 3, perTryTimeout: "100ms"}
#       }
#     pass: |
#       services: {
#       	gateway: dependencies: orders: timeout: "1s"
#       	orders: dependencies: payments: retries: {attempts: 3, perTryTimeout: "100ms"}
#       }
package govctl.rules.res_005

params := data.govctl.params["GOV-RES-005"]

limit := params.maxAmplification

calls := {name: object.keys(object.get(svc, "dependencies", {})) | some name, svc in input.services}

tries(caller, callee) := n + 1 if {
	n := input.services[caller].dependencies[callee].retries.attempts
} else := 1

# Calls without retries pass a request on once; only retrying calls multiply.
plain := {name: {callee | some callee in callees; tries(name, callee) == 1} | some name, callees in calls}

plain_reach := {name: reachable(plain, {name}) | some name, _ in plain}

retrying := {name: {callee: t | some callee in callees; t := tries(name, callee); t > 1} | some name, callees in calls}

retried_by := {callee: {caller: t | some caller, callees in retrying; t := callees[callee]} | some callee, _ in calls}

# forward(s)[k] holds the [service, tries] states a request at s reaches
# with k + 1 retrying calls, the first a call of s itself; only states within
# the limit are extended, so the first state past it ends each path. Each
# retrying call at least doubles the tries, so 12 levels are exact for limits
# below 4096; the states are few (at most limit tries per service), however
# many paths lead to them.
forward(s) := [l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12] if {
	l1 := {[y, t] | some y, t in retrying[s]}
	l2 := advance(l1)
	l3 := advance(l2)
	l4 := advance(l3)
	l5 := advance(l4)
	l6 := advance(l5)
	l7 := advance(l6)
	l8 := advance(l7)
	l9 := advance(l8)
	l10 := advance(l9)
	l11 := advance(l10)
	l12 := advance(l11)
}

advance(level) := {[y, p * t] |
	some p in {p | some [_, p] in level; p <= limit}
	closure := union({plain_reach[v] | some [v, q] in level; q == p})
	some u in closure
	some y, t in retrying[u]
}

states := {s: forward(s) | some s, _ in calls}

# exceeding[s][y] is [tries, k] of the most amplifying state past the limit
# that s reaches at y (the fewest calls among equals). A path back to its own
# start is a dependency cycle, GOV-DEP-001's finding. Sorting groups the
# states by service without a scan per service.
exceeding := {s: {e[0]: [0 - e[1], e[2]] | some i, e in sorted; first_of_group(sorted, i)} |
	some s, found in states
	sorted := sort([[y, 0 - p, k] |
		some k, level in found
		some [y, p] in level
		p > limit
		y != s
	])
}

first_of_group(_, i) if i == 0

first_of_group(sorted, i) if sorted[i - 1][0] != sorted[i][0]

exceeds_at := {y: {s | some s, ends in exceeding; ends[y]} | some y, _ in calls}

# A path is reported on its innermost start: when a service s calls also
# exceeds the limit at y, by itself or through calls without retries, the
# finding belongs further in.
violation contains f if {
	some s, ends in exceeding
	some y, [total, k] in ends
	every callee in calls[s] {
		count(plain_reach[callee] & exceeds_at[y]) == 0
	}
	path := trail(s, k, y, total)
	f := {
		"msg": sprintf(
			"retry amplification along %s is %d (%s tries): one request at %s can reach %s %d times, above the limit %v",
			[concat(" → ", chain(path)), total, concat(" × ", [sprintf("%d", [t]) | some [_, _, t] in path]), s, y, total, limit],
		),
		"service": s,
		"path": sprintf("dependencies.%s.retries", [path[0][1]]),
	}
}

# trail rebuilds the retrying calls [caller, callee, tries] of one path from s
# that reaches y with the given tries after k + 1 retrying calls, walking the
# states back one call at a time (at most 12).
trail(s, k, y, total) := path if {
	found := states[s]
	t1 := back(s, found, [k, y, total, []])
	t2 := back(s, found, t1)
	t3 := back(s, found, t2)
	t4 := back(s, found, t3)
	t5 := back(s, found, t4)
	t6 := back(s, found, t5)
	t7 := back(s, found, t6)
	t8 := back(s, found, t7)
	t9 := back(s, found, t8)
	t10 := back(s, found, t9)
	t11 := back(s, found, t10)
	[_, _, _, path] := back(s, found, t11)
}

back(_, _, [k, y, p, path]) := [k, y, p, path] if k < 0

back(s, _, [k, y, p, path]) := [-1, s, 1, array.concat([[s, y, p]], path)] if k == 0

back(_, found, [k, y, p, path]) := [k - 1, v, q, array.concat([[u, y, t]], path)] if {
	k > 0
	[v, q, u, t] := min({[v, q, u, t] |
		some u, t in retried_by[y]
		some [v, q] in found[k - 1]
		q * t == p
		q <= limit
		u in plain_reach[v]
	})
}

# chain lists the services along the retrying calls and a direct call without
# retries between them; "…" marks a longer stretch of such calls.
chain(path) := array.concat([path[0][0]], [name |
	some i, [caller, callee, _] in path
	some name in link(path, i, caller, callee)
])

link(path, i, caller, callee) := [callee] if {
	i == 0
} else := [callee] if {
	path[i - 1][1] == caller
} else := [caller, callee] if {
	caller in plain[path[i - 1][1]]
} else := ["…", caller, callee]

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
