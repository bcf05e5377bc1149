# METADATA
# title: Enough reviewers to give the required approvals
# description: >-
#   Approvals can only come from the listed reviewers. With fewer reviewers
#   than required approvals the deployment can never be approved: it waits
#   until someone edits the environment under pressure, usually by removing
#   the protection. A team counts as one reviewer whatever its size, since
#   nothing in the spec says how many of its members can approve.
# custom:
#   id: GOV-DEL-003
#   severity: error
#   reads: connected
#   remediation: >-
#     Add reviewers (GitHub users or org/team) to environments.<env>.reviewers
#     until they are at least as many as the approvals, or lower approvals.
#   examples:
#     fail: |
#       environments: prod: {tier: "prod", approvals: 2, reviewers: ["alice"]}
#     pass: |
#       environments: prod: {tier: "prod", approvals: 2, reviewers: ["alice", "acme/sre"]}
package govctl.rules.del_003

violation contains f if {
	approvals := object.get(input.environment, "approvals", 0)
	approvals > 0
	reviewers := {lower(r) | some r in object.get(input.environment, "reviewers", [])}
	count(reviewers) < approvals
	f := {
		"msg": sprintf("%s requires %d approval(s) but lists %d distinct reviewer(s) %v: it can never be approved", [input.environment.name, approvals, count(reviewers), sort(reviewers)]),
		"path": sprintf("environments.%s.reviewers", [input.environment.name]),
	}
}
