# METADATA
# title: Fallback timeout shorter than the service's own timeout
# description: >-
#   A degraded request first fails (or is shed) and then calls the fallback
#   within the same deadline. When the fallback timeout is not shorter than
#   the service's own timeout, the fallback call is cancelled by the caller's
#   deadline before it can answer, so degradation turns every request into
#   a timeout instead of a cheaper answer.
# custom:
#   id: GOV-RES-007
#   severity: error
#   reads: connected
#   remediation: >-
#     Set resilience.degradation.fallbackTimeout well below the service's
#     timeout (orders uses 150ms under a 1s timeout); mind that the schema's
#     default fallbackTimeout is 800ms.
#   params:
#     maxFallbackTimeoutRatio:
#       type: number
#       default: 1
#       looser: higher
#       minimum: 0
#       description: >-
#         The fallback timeout must be below this fraction of the service's
#         timeout; 1 means strictly shorter.
#   examples:
#     fail: |
#       services: orders: {timeout: "500ms", resilience: degradation: {warnAt: 0.05, degradeAt: 0.2, fallbackTo: "orders-lite"}}
#     pass: |
#       services: orders: {timeout: "1s", resilience: degradation: {warnAt: 0.05, degradeAt: 0.2, fallbackTo: "orders-lite", fallbackTimeout: "150ms"}}
package govctl.rules.res_007

params := data.govctl.params["GOV-RES-007"]

# Without fallbackTo the fallback timeout is never used.
violation contains f if {
	some name, svc in input.services
	degradation := svc.resilience.degradation
	object.get(degradation, "fallbackTo", "") != ""
	fallback := time.parse_duration_ns(degradation.fallbackTimeout)
	fallback >= time.parse_duration_ns(svc.timeout) * params.maxFallbackTimeoutRatio
	f := {
		"msg": sprintf(
			"fallbackTimeout %s to %s is not shorter than %s: the fallback is cancelled before it answers",
			[degradation.fallbackTimeout, degradation.fallbackTo, limit(svc.timeout)],
		),
		"service": name,
		"path": "resilience.degradation.fallbackTimeout",
	}
}

limit(timeout) := sprintf("the service's own timeout %s", [timeout]) if {
	params.maxFallbackTimeoutRatio == 1
} else := sprintf("%v × the service's own timeout %s", [params.maxFallbackTimeoutRatio, timeout])
