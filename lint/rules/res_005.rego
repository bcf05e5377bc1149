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
	some v, _ in calls
	reach := graph.reachable(plain, {v})
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

levels := [
	candidates_1, candidates_2, candidates_3, candidates_4, candidates_5, candidates_6,
	candidates_7, candidates_8, candidates_9, candidates_10, candidates_11, candidates_12,
]

# A path back to its own start is a dependency cycle, GOV-DEP-001's finding.
exceeding contains [s, y, p, path] if {
	some level in levels
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
		every u in graph.reachable(plain, {callee}) {
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
