# METADATA
# title: Circuit-breaker thresholds are sane
# description: >-
#   A breaker that opens after a handful of requests trips on noise: two
#   failed calls out of ten at low traffic take a healthy dependency out for
#   the whole open timeout. An error threshold of zero opens on the first
#   error, and one above a half keeps sending traffic to a dependency that
#   fails most requests, which is the cascade the breaker exists to stop.
# custom:
#   id: GOV-RES-003
#   severity: error
#   reads: connected
#   remediation: >-
#     Set resilience.circuitBreaker.minRequests to at least minMinRequests
#     (100 is usual) and errorThreshold above 0 and at most maxErrorThreshold
#     (0.05 is usual). A low-volume service that needs less can record an
#     exception with its reason.
#   params:
#     minMinRequests:
#       type: integer
#       default: 50
#       looser: lower
#       minimum: 1
#       description: The smallest minRequests a breaker may have.
#     maxErrorThreshold:
#       type: number
#       default: 0.5
#       looser: higher
#       minimum: 0
#       maximum: 1
#       description: The largest error ratio at which a breaker may open.
#   examples:
#     fail: |
#       services: orders: resilience: circuitBreaker: {minRequests: 10, errorThreshold: 0.8}
#     pass: |
#       services: orders: resilience: circuitBreaker: {minRequests: 100, errorThreshold: 0.05}
package govctl.rules.res_003

params := data.govctl.params["GOV-RES-003"]

violation contains f if {
	some name, svc in input.services
	breaker := svc.resilience.circuitBreaker
	breaker.minRequests < params.minMinRequests
	f := {
		"msg": sprintf("circuit breaker minRequests %d is below %d: it opens on noise at low traffic", [breaker.minRequests, params.minMinRequests]),
		"service": name,
		"path": "resilience.circuitBreaker.minRequests",
	}
}

violation contains f if {
	some name, svc in input.services
	breaker := svc.resilience.circuitBreaker
	breaker.errorThreshold <= 0
	f := {
		"msg": sprintf("circuit breaker errorThreshold %v opens on the first error", [breaker.errorThreshold]),
		"service": name,
		"path": "resilience.circuitBreaker.errorThreshold",
	}
}

violation contains f if {
	some name, svc in input.services
	breaker := svc.resilience.circuitBreaker
	breaker.errorThreshold > params.maxErrorThreshold
	f := {
		"msg": sprintf(
			"circuit breaker errorThreshold %v is above %v: it keeps calling a dependency that fails most requests",
			[breaker.errorThreshold, params.maxErrorThreshold],
		),
		"service": name,
		"path": "resilience.circuitBreaker.errorThreshold",
	}
}
