package govctl.rules.del_003_test

import data.govctl.rules.del_003

env(approvals, reviewers) := {"environment": {"name": "prod", "tier": "prod", "approvals": approvals, "reviewers": reviewers}}

test_too_few_reviewers_fail if {
	del_003.violation == {{
		"msg": `prod requires 2 approval(s) but lists 1 distinct reviewer(s) ["alice"]: it can never be approved`,
		"path": "environments.prod.reviewers",
	}} with input as env(2, ["alice", "Alice"])
}

test_no_reviewers_fail if {
	count(del_003.violation) == 1 with input as env(1, [])
}

test_a_team_counts_as_one if {
	count(del_003.violation) == 0 with input as env(2, ["alice", "acme/sre"])
	count(del_003.violation) == 1 with input as env(3, ["alice", "acme/sre"])
}

test_no_approvals_need_no_reviewers if {
	count(del_003.violation) == 0 with input as env(0, [])
}
