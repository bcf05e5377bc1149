# METADATA
# title: Deregistration waits for several failed health checks
# description: >-
#   deregisterAfter is how long an instance may stay critical before the
#   registry removes it. When it is only one or two health-check intervals,
#   a single GC pause, slow disk or network blip removes a healthy instance;
#   under load every instance is removed in turn and the service
#   re-registers in a storm that looks like an outage.
# custom:
#   id: GOV-REG-003
#   severity: warning
#   reads: connected
#   remediation: >-
#     Raise platform.registry.healthCheck.deregisterAfter to at least
#     minFactor × healthCheck.interval (90s for a 10s interval is usual), or
#     shorten the interval.
#   params:
#     minFactor:
#       type: number
#       default: 3
#       looser: lower
#       minimum: 1
#       description: How many health-check intervals must fit into deregisterAfter.
#   examples:
#     fail: |
#       platform: registry: healthCheck: {interval: "10s", deregisterAfter: "20s"}
#     pass: |
#       platform: registry: healthCheck: {interval: "10s", deregisterAfter: "90s"}
package govctl.rules.reg_003

params := data.govctl.params["GOV-REG-003"]

violation contains f if {
	check := input.platform.registry.healthCheck
	interval := time.parse_duration_ns(check.interval)
	time.parse_duration_ns(check.deregisterAfter) < interval * params.minFactor
	f := {
		"msg": sprintf(
			"deregisterAfter %s is shorter than %v × the health-check interval %s: one slow check removes a healthy instance",
			[check.deregisterAfter, params.minFactor, check.interval],
		),
		"path": "platform.registry.healthCheck.deregisterAfter",
	}
}
