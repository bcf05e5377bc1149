# METADATA
# title: Health-check timeout shorter than the interval
# description: >-
#   A health check that may run longer than its interval overlaps the next
#   one. On a slow instance checks pile up on exactly the endpoint that is
#   struggling, and the registry's view of the instance lags by several
#   intervals, so a dead instance keeps receiving traffic.
# custom:
#   id: GOV-REG-004
#   severity: error
#   reads: connected
#   remediation: >-
#     Set platform.registry.healthCheck.timeout below healthCheck.interval,
#     e.g. timeout "5s" with interval "10s".
#   params:
#     maxTimeoutToIntervalRatio:
#       type: number
#       default: 1
#       looser: higher
#       minimum: 0
#       description: >-
#         The timeout must be below this fraction of the interval; 1 means
#         strictly shorter.
#   examples:
#     fail: |
#       platform: registry: healthCheck: {interval: "10s", timeout: "10s"}
#     pass: |
#       platform: registry: healthCheck: {interval: "10s", timeout: "5s"}
package govctl.rules.reg_004

params := data.govctl.params["GOV-REG-004"]

violation contains f if {
	check := input.platform.registry.healthCheck
	timeout := time.parse_duration_ns(check.timeout)
	timeout >= time.parse_duration_ns(check.interval) * params.maxTimeoutToIntervalRatio
	f := {
		"msg": sprintf("health-check timeout %s is not shorter than %s: checks overlap", [check.timeout, limit(check.interval)]),
		"path": "platform.registry.healthCheck.timeout",
	}
}

limit(interval) := sprintf("the interval %s", [interval]) if {
	params.maxTimeoutToIntervalRatio == 1
} else := sprintf("%v × the interval %s", [params.maxTimeoutToIntervalRatio, interval])
