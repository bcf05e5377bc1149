# METADATA
# title: The first canary step is small
# description: >-
#   The first canary step is the blast radius of a bad release: every
#   request in that share hits the new version before the metric gate has
#   seen anything. A first step of 50 % turns a broken build into an outage
#   for half the users for a whole step interval.
# custom:
#   id: GOV-TRF-002
#   severity: error
#   reads: connected
#   remediation: >-
#     Start environments.<env>.canary.steps with a step no larger than
#     maxFirstCanaryStep, e.g. [10, 30, 100].
#   params:
#     maxFirstCanaryStep:
#       type: number
#       default: 30
#       looser: higher
#       minimum: 0
#       maximum: 100
#       description: The largest share of traffic, in percent, of the first canary step.
#     tiers:
#       type: array
#       items: {type: string, enum: [dev, staging, prod]}
#       default: [prod]
#       description: Environment tiers the limit applies to.
#   examples:
#     fail: |
#       environments: prod: canary: steps: [50, 100]
#     pass: |
#       environments: prod: canary: steps: [10, 30, 100]
package govctl.rules.trf_002

params := data.govctl.params["GOV-TRF-002"]

violation contains f if {
	input.environment.tier in params.tiers
	first := input.environment.canary.steps[0]
	first > params.maxFirstCanaryStep
	f := {
		"msg": sprintf("first canary step is %v %%, above %v %%: a bad release hits that share before the gate decides", [first, params.maxFirstCanaryStep]),
		"path": sprintf("environments.%s.canary.steps", [input.environment.name]),
	}
}
