package govctl.rules.del_005_test

import data.govctl.rules.del_005

defaults := {"GOV-DEL-005": {"maxReviewers": 6}}

env(reviewers) := {"environment": {"name": "prod", "tier": "prod", "reviewers": reviewers}}

test_seven_reviewers_fail if {
	del_005.violation == {{
		"msg": "prod lists 7 reviewers, more than 6: GitHub rejects the environment's protection rules",
		"path": "environments.prod.reviewers",
	}} with input as env(["a", "b", "c", "d", "e", "f", "g"])
		with data.govctl.params as defaults
}

test_six_reviewers_pass_at_default if {
	count(del_005.violation) == 0 with input as env(["a", "b", "c", "d", "e", "acme/sre"])
		with data.govctl.params as defaults
}

test_custom_limit if {
	count(del_005.violation) == 1 with input as env(["a", "b", "c"])
		with data.govctl.params as {"GOV-DEL-005": {"maxReviewers": 2}}
}
