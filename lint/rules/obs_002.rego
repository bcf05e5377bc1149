# METADATA
# title: Critical services have a p99 objective below their timeout
# description: >-
#   A critical service is one the business pages on, and paging needs a
#   latency objective to measure against. A p99 at or above the service's
#   own timeout can never be observed (requests that slow are cut off and
#   counted as errors), so the objective is met on paper while one request
#   in a hundred times out.
# custom:
#   id: GOV-OBS-002
#   severity: warning
#   reads: connected
#   remediation: >-
#     Set slo.p99 on the critical service below its timeout (orders: p99
#     "280ms" under a 1s timeout), or raise the timeout if the p99 is right.
#   params:
#     maxP99ToTimeoutRatio:
#       type: number
#       default: 1
#       looser: higher
#       minimum: 0
#       description: >-
#         The p99 objective must be below this fraction of the service's
#         timeout; 1 means strictly below.
#   examples:
#     fail: |
#       services: payments: {timeout: "500ms", slo: {critical: true, p99: "600ms"}}
#     pass: |
#       services: payments: {timeout: "900ms", slo: {critical: true, p99: "600ms"}}
package govctl.rules.obs_002

params := data.govctl.params["GOV-OBS-002"]

violation contains f if {
	some name, svc in input.services
	svc.slo.critical == true
	object.get(svc.slo, "p99", "") == ""
	f := {
		"msg": "critical service has no p99 latency objective",
		"service": name,
		"path": "slo.p99",
	}
}

violation contains f if {
	some name, svc in input.services
	svc.slo.critical == true
	p99 := svc.slo.p99
	p99 != ""
	time.parse_duration_ns(p99) >= time.parse_duration_ns(svc.timeout) * params.maxP99ToTimeoutRatio
	f := {
		"msg": sprintf("p99 objective %s is not below %s: requests that slow time out instead", [p99, limit(svc.timeout)]),
		"service": name,
		"path": "slo.p99",
	}
}

limit(timeout) := sprintf("the service's timeout %s", [timeout]) if {
	params.maxP99ToTimeoutRatio == 1
} else := sprintf("%v × the service's timeout %s", [params.maxP99ToTimeoutRatio, timeout])
