# METADATA
# title: Fallbacks do not fall back to themselves
# description: >-
#   When a service degrades it sends requests to its fallback service. A
#   service that falls back to itself, or fallbacks that form a loop
#   (orders → orders-lite → orders), send degraded traffic straight back to
#   the service that is already failing: the fallback adds load at the worst
#   moment instead of shedding it, and requests bounce until their deadline.
# custom:
#   id: GOV-RES-006
#   severity: error
#   reads: connected
#   remediation: >-
#     Point resilience.degradation.fallbackTo at a separate, simpler service
#     (a cache-backed read-only variant) that does not itself fall back into
#     the loop, or remove the fallback.
#   examples:
#     fail: |
#       services: {
#       	orders: resilience: degradation: {warnAt: 0.05, degradeAt: 0.2, fallbackTo: "orders-lite"}
#       	"orders-lite": resilience: degradation: {warnAt: 0.05, degradeAt: 0.2, fallbackTo: "orders"}
#       }
#     pass: |
#       services: orders: resilience: degradation: {warnAt: 0.05, degradeAt: 0.2, fallbackTo: "orders-lite"}
package govctl.rules.res_006

fallbacks := {name: {to} |
	some name, svc in input.services
	to := svc.resilience.degradation.fallbackTo
	to != ""
}

violation contains f if {
	some name, to in fallbacks
	name in to
	f := {
		"msg": "falls back to itself: degraded traffic goes back to the failing service",
		"service": name,
		"path": "resilience.degradation.fallbackTo",
	}
}

# A loop is reported once, on its alphabetically first service.
violation contains f if {
	some name, to in fallbacks
	not name in to
	name in graph.reachable(fallbacks, to)
	some loop in graph.reachable_paths(fallbacks, {name})
	name == min(loop)
	f := {
		"msg": sprintf("fallbacks form a loop %s: degraded traffic returns to the failing service", [concat(" → ", array.concat(loop, [name]))]),
		"service": name,
		"path": "resilience.degradation.fallbackTo",
	}
}
