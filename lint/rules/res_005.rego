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
#   remediation: >-
#     Retry at one hop of the path only: set retries.attempts to 0 (or drop
#     retries) on the outer calls and keep them on the call closest to the
#     flaky dependency, or lower attempts along the reported path.
#   params:
#     maxAmplification:
#       type: number
#       default: 10
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

# hops[v][y][t] is a service that v reaches through calls without retries
# and that calls y with t > 1 tries. Each hop at least doubles the tries, so
# a path whose proper prefixes stay within the limit has at most
# log2(limit) + 1 hops.
hops := {v: {y: {t: min({u | some u in retrying; tries(u, y) == t}) |
	some u in retrying
	t := tries(u, y)
	t > 1
} |
	some y in {y | some u in reach; some y in calls[u]}
	retrying := {u | some u in reach; tries(u, y) > 1}
	count(retrying) > 0
} |
	some v, reach in plain_reach
}

hops_into := {y: {v: ts | some v, row in hops; ts := row[y]} | some y, _ in calls}

# candidates_k[s][y] holds [tries, hops] for the paths from s to y that start
# with a retrying call of s, make k retrying calls and whose every proper
# prefix stays within the limit. within_k keeps, per s, y and number of tries
# within the limit, one path, which the next level extends: there are at most
# limit such numbers, so the levels stay small however many paths there are.
candidates_1 := {s: {y: {[t, [[s, y, t]]]} | some y in callees; t := tries(s, y); t > 1} | some s, callees in calls}

extend(within) := {s: {y: {[p * t, array.concat(path, [[u, y, t]])] |
	some v, ts in hops_into[y]
	some t, u in ts
	some p, path in ends[v]
} |
	some y in {y | some v, _ in ends; some y, _ in hops[v]}
} |
	some s, ends in within
}

within(candidates) := {s: {y: products |
	some y, found in row
	products := {p: min({path | some [q, path] in found; q == p}) |
		some [p, _] in found
		p <= limit
	}
	count(products) > 0
} |
	some s, row in candidates
}

candidates_2 := extend(within(candidates_1))

candidates_3 := extend(within(candidates_2))

candidates_4 := extend(within(candidates_3))

candidates_5 := extend(within(candidates_4))

candidates_6 := extend(within(candidates_5))

candidates_7 := extend(within(candidates_6))

candidates_8 := extend(within(candidates_7))

candidates_9 := extend(within(candidates_8))

candidates_10 := extend(within(candidates_9))

candidates_11 := extend(within(candidates_10))

candidates_12 := extend(within(candidates_11))

retry_levels := [
	candidates_1, candidates_2, candidates_3, candidates_4, candidates_5, candidates_6,
	candidates_7, candidates_8, candidates_9, candidates_10, candidates_11, candidates_12,
]

# A path back to its own start is a dependency cycle, GOV-DEP-001's finding.
exceeding contains [s, y, p, path] if {
	some level in retry_levels
	some s, row in level
	some y, found in row
	some [p, path] in found
	p > limit
	s != y
}

exceeds contains [s, y] if some [s, y, _, _] in exceeding

# A path is reported on its innermost start: when a service s calls also
# exceeds the limit at y, by itself or through calls without retries, the
# finding belongs further in.
violation contains f if {
	some [s, y] in exceeds
	every callee in calls[s] {
		every u in plain_reach[callee] {
			not [u, y] in exceeds
		}
	}
	[total, path] := max({[p, path] | some [s2, y2, p, path] in exceeding; s2 == s; y2 == y})
	f := {
		"msg": sprintf(
			"retry amplification along %s is %d (%s tries): one request at %s can reach %s %d times, above the limit %v",
			[concat(" → ", chain(path)), total, concat(" × ", [sprintf("%d", [t]) | some [_, _, t] in path]), s, y, total, limit],
		),
		"service": s,
		"path": sprintf("dependencies.%s.retries", [path[0][1]]),
	}
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
