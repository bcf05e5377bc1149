# METADATA
# title: Retries fit within the call's timeout
# description: >-
#   The call's timeout bounds all its tries together. When each try times
#   out, the first try and attempts − 1 retries take attempts ×
#   perTryTimeout; if that already exceeds the timeout, the last configured
#   retry is never sent. The retry policy then promises resilience it cannot
#   deliver, and raising attempts only adds load.
# custom:
#   id: GOV-RES-004
#   severity: warning
#   reads: connected
#   remediation: >-
#     Lower retries.attempts or retries.perTryTimeout so that attempts ×
#     perTryTimeout fits within dependencies.<name>.timeout, or raise that
#     timeout (within the service's own timeout).
#   params:
#     maxRetryBudgetRatio:
#       type: number
#       default: 1
#       looser: higher
#       minimum: 0
#       description: >-
#         attempts × perTryTimeout may use at most this fraction of the
#         call's timeout.
#   examples:
#     fail: |
#       services: orders: dependencies: payments: {timeout: "500ms", retries: {attempts: 3, perTryTimeout: "300ms"}}
#     pass: |
#       services: orders: dependencies: payments: {timeout: "800ms", retries: {attempts: 2, perTryTimeout: "300ms"}}
package govctl.rules.res_004

params := data.govctl.params["GOV-RES-004"]

violation contains f if {
	some name, svc in input.services
	some dep, call in svc.dependencies
	retries := call.retries
	retries.attempts > 0
	[deadline, what] := bound(svc, call)
	budget := retries.attempts * time.parse_duration_ns(retries.perTryTimeout)
	budget > time.parse_duration_ns(deadline) * params.maxRetryBudgetRatio
	f := {
		"msg": sprintf(
			"retries to %s: attempts %d × perTryTimeout %s exceeds %s: the last retry is never sent",
			[dep, retries.attempts, retries.perTryTimeout, limit(what, deadline)],
		),
		"service": name,
		"path": sprintf("dependencies.%s.retries", [dep]),
	}
}

# A call without its own timeout is bounded by the caller's deadline.
bound(svc, call) := [call.timeout, "the call's timeout"] if {
	object.get(call, "timeout", "") != ""
} else := [svc.timeout, "the service's own timeout"]

limit(what, deadline) := sprintf("%s %s", [what, deadline]) if {
	params.maxRetryBudgetRatio == 1
} else := sprintf("%v × %s %s", [params.maxRetryBudgetRatio, what, deadline])
