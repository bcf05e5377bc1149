# METADATA
# title: Production rolls out through a canary
# description: >-
#   Without canary steps a new version replaces the old one for all traffic
#   at once and there is no metric gate and no automatic rollback: a bad
#   release is found by users and rolled back by hand, after the damage.
#   The canary is also what makes the rollback error threshold mean
#   anything.
# custom:
#   id: GOV-TRF-005
#   severity: error
#   reads: connected
#   remediation: >-
#     Add environments.<env>.canary with steps and a maxErrorRate, e.g.
#     canary: {steps: [10, 30, 100], maxErrorRate: 0.005}.
#   params:
#     tiers:
#       type: array
#       items: {type: string, enum: [dev, staging, prod]}
#       default: [prod]
#       description: Environment tiers that must roll out through a canary.
#   examples:
#     fail: |
#       environments: prod: {tier: "prod", approvals: 2}
#     pass: |
#       environments: prod: {tier: "prod", approvals: 2, canary: steps: [10, 30, 100]}
package govctl.rules.trf_005

params := data.govctl.params["GOV-TRF-005"]

violation contains f if {
	input.environment.tier in params.tiers
	not input.environment.canary
	f := {
		"msg": sprintf("%s (tier %s) has no canary: releases go to all traffic at once with no automatic rollback", [input.environment.name, input.environment.tier]),
		"path": sprintf("environments.%s.canary", [input.environment.name]),
	}
}
