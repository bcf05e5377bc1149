package govctl.rules.del_001_test

import data.govctl.rules.del_001

defaults := {"GOV-DEL-001": {"minApprovals": {"prod": 2, "staging": 1}}}

env(tier, approvals) := {"environment": {"name": tier, "tier": tier, "approvals": approvals}}

test_single_approval_in_prod_fails if {
	del_001.violation == {{
		"msg": "prod requires 1 approval(s), below the minimum 2 for tier prod",
		"path": "environments.prod.approvals",
	}} with input as env("prod", 1)
		with data.govctl.params as defaults
}

test_no_approval_in_staging_fails if {
	count(del_001.violation) == 1 with input as env("staging", 0)
		with data.govctl.params as defaults
}

test_minimum_approvals_pass if {
	count(del_001.violation) == 0 with input as env("prod", 2)
		with data.govctl.params as defaults
	count(del_001.violation) == 0 with input as env("staging", 1)
		with data.govctl.params as defaults
}

test_unlisted_tier_needs_none if {
	count(del_001.violation) == 0 with input as env("dev", 0)
		with data.govctl.params as defaults
}

test_custom_minimums if {
	count(del_001.violation) == 1 with input as env("prod", 2)
		with data.govctl.params as {"GOV-DEL-001": {"minApprovals": {"prod": 3}}}
	count(del_001.violation) == 0 with input as env("staging", 0)
		with data.govctl.params as {"GOV-DEL-001": {"minApprovals": {"prod": 3}}}
}
