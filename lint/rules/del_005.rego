# METADATA
# title: No more reviewers than GitHub accepts
# description: >-
#   GitHub environment protection accepts at most six required reviewers
#   (users or teams). A longer list is rejected when the environment is
#   created or updated, so the environment keeps its old protection, or
#   none, while the spec claims otherwise.
# custom:
#   id: GOV-DEL-005
#   severity: error
#   reads: connected
#   remediation: >-
#     Replace individual reviewers with a team (org/team counts once) so that
#     environments.<env>.reviewers lists at most maxReviewers entries.
#   params:
#     maxReviewers:
#       type: integer
#       default: 6
#       looser: higher
#       minimum: 1
#       description: The most reviewers an environment may list (GitHub's limit is 6).
#   examples:
#     fail: |
#       environments: prod: reviewers: ["a", "b", "c", "d", "e", "f", "g"]
#     pass: |
#       environments: prod: reviewers: ["a", "b", "acme/sre"]
package govctl.rules.del_005

params := data.govctl.params["GOV-DEL-005"]

violation contains f if {
	reviewers := object.get(input.environment, "reviewers", [])
	count(reviewers) > params.maxReviewers
	f := {
		"msg": sprintf("%s lists %d reviewers, more than %d: GitHub rejects the environment's protection rules", [input.environment.name, count(reviewers), params.maxReviewers]),
		"path": sprintf("environments.%s.reviewers", [input.environment.name]),
	}
}
