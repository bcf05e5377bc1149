# METADATA
# title: No traffic mirroring in production
# description: >-
#   A mirrored request is a real request sent a second time: in production
#   it charges the card twice, sends the e-mail twice and writes the order
#   twice, because the mirror target shares the production databases and
#   providers. The responses are discarded, so nobody sees the damage until
#   the reconciliation report.
# custom:
#   id: GOV-TRF-003
#   severity: error
#   reads: connected
#   remediation: >-
#     Remove environments.<env>.mirror from production environments and
#     mirror in staging, where side effects hit test systems.
#   params:
#     tiers:
#       type: array
#       items: {type: string, enum: [dev, staging, prod]}
#       default: [prod]
#       description: Environment tiers in which mirroring is not allowed.
#   examples:
#     fail: |
#       environments: prod: {tier: "prod", mirror: percent: 10}
#     pass: |
#       environments: staging: {tier: "staging", mirror: percent: 10}
package govctl.rules.trf_003

params := data.govctl.params["GOV-TRF-003"]

violation contains f if {
	input.environment.tier in params.tiers
	mirror := input.environment.mirror
	f := {
		"msg": sprintf("%s (tier %s) mirrors %v %% of live traffic: mirrored requests repeat their side effects", [input.environment.name, input.environment.tier, mirror.percent]),
		"path": sprintf("environments.%s.mirror", [input.environment.name]),
	}
}
