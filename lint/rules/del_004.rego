# METADATA
# title: Automatic deployments run a smoke test
# description: >-
#   An environment that deploys on every merge without a smoke test reports
#   success for a build that does not start, cannot reach its config or
#   fails its first request. The broken build then sits in the environment
#   until someone happens to use it, and everyone testing there meanwhile
#   chases the wrong bug.
# custom:
#   id: GOV-DEL-004
#   severity: error
#   reads: connected
#   remediation: >-
#     Set environments.<env>.smokeTest to the command that checks a fresh
#     deployment (e.g. "make smoke"), or turn off autoDeploy.
#   params:
#     tiers:
#       type: array
#       items: {type: string, enum: [dev, staging, prod]}
#       default: [dev, staging, prod]
#       description: Environment tiers in which automatic deployments need a smoke test.
#   examples:
#     fail: |
#       environments: dev: {tier: "dev", autoDeploy: true}
#     pass: |
#       environments: dev: {tier: "dev", autoDeploy: true, smokeTest: "make smoke"}
package govctl.rules.del_004

params := data.govctl.params["GOV-DEL-004"]

violation contains f if {
	input.environment.tier in params.tiers
	input.environment.autoDeploy == true
	object.get(input.environment, "smokeTest", "") == ""
	f := {
		"msg": sprintf("%s deploys automatically but has no smoke test: broken builds are reported as deployed", [input.environment.name]),
		"path": sprintf("environments.%s.autoDeploy", [input.environment.name]),
	}
}
