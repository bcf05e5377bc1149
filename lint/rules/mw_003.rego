# METADATA
# title: Metrics middleware in staging and production
# description: >-
#   Without the metrics middleware a service exports no request counters or
#   latency histograms of its own: its dashboards are empty, its SLO cannot
#   be measured and the canary gate compares nothing, so a bad rollout is
#   promoted on silence.
# custom:
#   id: GOV-MW-003
#   severity: warning
#   reads: connected
#   remediation: >-
#     Add "metrics" to the service's middleware (after logging), or set it in
#     platform.defaults.middleware so every service gets it.
#   params:
#     tiers:
#       type: array
#       items: {type: string, enum: [dev, staging, prod]}
#       default: [staging, prod]
#       description: Environment tiers in which every service must record metrics.
#   examples:
#     fail: |
#       services: orders: middleware: ["recovery", "tracing", "logging"]
#     pass: |
#       services: orders: middleware: ["recovery", "tracing", "logging", "metrics"]
package govctl.rules.mw_003

params := data.govctl.params["GOV-MW-003"]

violation contains f if {
	input.environment.tier in params.tiers
	some name, svc in input.services
	not "metrics" in svc.middleware
	f := {
		"msg": sprintf("no metrics middleware in %v: the service's requests are not measured", [svc.middleware]),
		"service": name,
		"path": "middleware",
	}
}
