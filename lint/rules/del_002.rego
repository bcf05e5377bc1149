# METADATA
# title: Canary rollback threshold is tight in production
# description: >-
#   canary.maxErrorRate is the error rate at which the metric gate rolls a
#   canary back. Set loosely, a release that fails one request in fifty
#   passes every step and is promoted to all traffic; at production volume
#   that is thousands of failed checkouts before anyone looks. 0.5 % is the
#   platform's rollback line.
# custom:
#   id: GOV-DEL-002
#   severity: error
#   reads: connected
#   remediation: >-
#     Lower environments.<env>.canary.maxErrorRate to at most maxErrorRate
#     (0.005 is 0.5 %).
#   params:
#     maxErrorRate:
#       type: number
#       default: 0.005
#       looser: higher
#       minimum: 0
#       maximum: 1
#       description: The highest canary error rate, as a fraction, that may pass the gate.
#     tiers:
#       type: array
#       items: {type: string, enum: [dev, staging, prod]}
#       default: [prod]
#       description: Environment tiers the limit applies to.
#   examples:
#     fail: |
#       environments: prod: canary: {steps: [10, 30, 100], maxErrorRate: 0.02}
#     pass: |
#       environments: prod: canary: {steps: [10, 30, 100], maxErrorRate: 0.005}
package govctl.rules.del_002

params := data.govctl.params["GOV-DEL-002"]

violation contains f if {
	input.environment.tier in params.tiers
	rate := input.environment.canary.maxErrorRate
	rate > params.maxErrorRate
	f := {
		"msg": sprintf("canary rolls back only above an error rate of %v, looser than %v: failing releases get promoted", [rate, params.maxErrorRate]),
		"path": sprintf("environments.%s.canary.maxErrorRate", [input.environment.name]),
	}
}
