# METADATA
# title: Enough approvals before a deployment
# description: >-
#   An approval is the last point where a human reads what is about to
#   change. A production deployment that one person can start alone is how
#   an unreviewed hotfix, a wrong environment or a compromised account
#   reaches every user; two approvals for production and one for staging is
#   the usual floor.
# custom:
#   id: GOV-DEL-001
#   severity: error
#   reads: connected
#   remediation: >-
#     Raise environments.<env>.approvals to the minimum for its tier and list
#     enough reviewers to give them.
#   params:
#     minApprovals:
#       type: object
#       additionalProperties: {type: integer, minimum: 0}
#       default: {prod: 2, staging: 1}
#       looser: lower
#       description: The minimum approvals per environment tier; tiers not listed need none.
#   examples:
#     fail: |
#       environments: prod: {tier: "prod", approvals: 1, reviewers: ["alice"]}
#     pass: |
#       environments: prod: {tier: "prod", approvals: 2, reviewers: ["alice", "bob"]}
package govctl.rules.del_001

params := data.govctl.params["GOV-DEL-001"]

violation contains f if {
	minimum := params.minApprovals[input.environment.tier]
	approvals := object.get(input.environment, "approvals", 0)
	approvals < minimum
	f := {
		"msg": sprintf("%s requires %d approval(s), below the minimum %d for tier %s", [input.environment.name, approvals, minimum, input.environment.tier]),
		"path": sprintf("environments.%s.approvals", [input.environment.name]),
	}
}
