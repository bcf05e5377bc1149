# METADATA
# title: A dependency's timeout fits within the caller's own deadline
# description: >-
#   A service's timeout is the deadline of the request it serves; Kratos
#   propagates it to outgoing calls. A dependency timeout longer than that
#   deadline is a lie: the caller has already answered (or been cancelled)
#   when the call would time out, the downstream keeps working for nobody,
#   and the retry and breaker settings built on the longer timeout never
#   take effect.
# custom:
#   id: GOV-RES-002
#   severity: error
#   reads: connected
#   remediation: >-
#     Lower dependencies.<name>.timeout to at most the service's own timeout
#     (leave room for the caller's own work), or raise the service timeout.
#   params:
#     maxTimeoutRatio:
#       type: number
#       default: 1
#       looser: higher
#       minimum: 0
#       description: >-
#         A dependency's timeout may be at most this fraction of the caller's
#         timeout; 1 allows equal, 0.8 keeps a fifth for the caller's own work.
#   examples:
#     fail: |
#       services: orders: {timeout: "1s", dependencies: payments: timeout: "2s"}
#     pass: |
#       services: orders: {timeout: "1s", dependencies: payments: timeout: "800ms"}
package govctl.rules.res_002

params := data.govctl.params["GOV-RES-002"]

violation contains f if {
	some name, svc in input.services
	some dep, call in svc.dependencies
	object.get(call, "timeout", "") != ""
	time.parse_duration_ns(call.timeout) > time.parse_duration_ns(svc.timeout) * params.maxTimeoutRatio
	f := {
		"msg": sprintf(
			"timeout of the call to %s (%s) exceeds %s: the caller's deadline expires first",
			[dep, call.timeout, limit(svc.timeout)],
		),
		"service": name,
		"path": sprintf("dependencies.%s.timeout", [dep]),
	}
}

limit(timeout) := sprintf("the service's own timeout %s", [timeout]) if {
	params.maxTimeoutRatio == 1
} else := sprintf("%v × the service's own timeout %s", [params.maxTimeoutRatio, timeout])
