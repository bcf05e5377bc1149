# METADATA
# title: Services with dependencies have a circuit breaker
# description: >-
#   A service that calls others without a circuit breaker keeps sending
#   requests to a failing dependency, holding a goroutine and a connection
#   for each until its timeout. A single slow dependency then exhausts the
#   caller's pool and the failure cascades up the call graph to the edge.
# custom:
#   id: GOV-RES-001
#   severity: error
#   reads: connected
#   remediation: >-
#     Set resilience.circuitBreaker on the service (or once in
#     platform.defaults.resilience.circuitBreaker), e.g. {minRequests: 100,
#     interval: "60s", timeout: "5s", errorThreshold: 0.05}.
#   params:
#     tiers:
#       type: array
#       items: {type: string, enum: [dev, staging, prod]}
#       default: [prod]
#       description: Environment tiers in which callers must have a breaker.
#   examples:
#     fail: |
#       services: orders: dependencies: payments: timeout: "800ms"
#     pass: |
#       services: orders: {
#       	dependencies: payments: timeout: "800ms"
#       	resilience: circuitBreaker: {minRequests: 100, errorThreshold: 0.05}
#       }
package govctl.rules.res_001

params := data.govctl.params["GOV-RES-001"]

violation contains f if {
	input.environment.tier in params.tiers
	some name, svc in input.services
	count(object.get(svc, "dependencies", {})) > 0
	not svc.resilience.circuitBreaker
	f := {
		"msg": sprintf(
			"calls %s but has no circuit breaker: a failing dependency exhausts this service and the failure cascades",
			[concat(", ", sort(object.keys(svc.dependencies)))],
		),
		"service": name,
		"path": "resilience.circuitBreaker",
	}
}
