# METADATA
# title: Retries fit within the call's timeout
# description: >-
#   The call's timeout bounds all its tries together: the route timeout
#   govctl renders for the caller is its dependency timeout (the callee's
#   own timeout when it declares none). attempts counts the retries after
#   the first try, as Istio's does, so when each try times out the tries
#   take (attempts + 1) × perTryTimeout; if that exceeds the timeout, the
#   last configured retry is never sent. The retry policy then promises
#   resilience it cannot deliver, and raising attempts only adds load.
# custom:
#   id: GOV-RES-004
#   severity: warning
#   reads: connected
#   remediation: >-
#     Lower retries.attempts or retries.perTryTimeout so that (attempts + 1)
#     × perTryTimeout fits within dependencies.<name>.timeout, or raise that
#     timeout (within the service's own timeout).
#   params:
#     maxRetryBudgetRatio:
#       type: number
#       default: 1
#       looser: higher
#       minimum: 0
#       description: >-
#         (attempts + 1) × perTryTimeout may use at most this fraction of
#         the call's timeout.
#   examples:
#     fail: |
#       services: orders: dependencies: payments: {timeout: "500ms", retries: {attempts: 3, perTryTimeout: "300ms"}}
#     pass: |
#       services: orders: dependencies: payments: {timeout: "900ms", retries: {attempts: 2, perTryTimeout: "300ms"}}
package govctl.rules.res_004

params := data.govctl.params["GOV-RES-004"]

violation contains f if {
	some name, svc in input.services
	some dep, call in svc.dependencies
	retries := call.retries
	retries.attempts > 0
	[deadline, what] := bound(dep, call)
	budget := (retries.attempts + 1) * time.parse_duration_ns(retries.perTryTimeout)
	budget > time.parse_duration_ns(deadline) * params.maxRetryBudgetRatio
	f := {
		"msg": sprintf(
			"retries to %s: %d tries (attempts %d + 1) × perTryTimeout %s exceed %s: the last retry is never sent",
			[dep, retries.attempts + 1, retries.attempts, retries.perTryTimeout, limit(what, deadline)],
		),
		"service": name,
		"path": sprintf("dependencies.%s.retries", [dep]),
	}
}

# The rendered route timeout: the call's timeout, or else the callee's own
# deadline (a call to an external is bounded by its timeout only).
bound(dep, call) := [call.timeout, "the call's timeout"] if {
	object.get(call, "timeout", "") != ""
} else := [input.services[dep].timeout, sprintf("%s's own timeout", [dep])]

limit(what, deadline) := sprintf("%s %s", [what, deadline]) if {
	params.maxRetryBudgetRatio == 1
} else := sprintf("%v × %s %s", [params.maxRetryBudgetRatio, what, deadline])
