package govctl.rules.del_002_test

import data.govctl.rules.del_002

defaults := {"GOV-DEL-002": {"maxErrorRate": 0.005, "tiers": ["prod"]}}

env(tier, rate) := {"environment": {"name": tier, "tier": tier, "canary": {"steps": [10, 100], "maxErrorRate": rate}}}

test_loose_threshold_fails if {
	del_002.violation == {{
		"msg": "canary rolls back only above an error rate of 0.02, looser than 0.005: failing releases get promoted",
		"path": "environments.prod.canary.maxErrorRate",
	}} with input as env("prod", 0.02)
		with data.govctl.params as defaults
}

test_threshold_at_the_default_passes if {
	count(del_002.violation) == 0 with input as env("prod", 0.005)
		with data.govctl.params as defaults
}

test_staging_is_not_a_default_tier if {
	count(del_002.violation) == 0 with input as env("staging", 0.05)
		with data.govctl.params as defaults
}

test_custom_limit if {
	count(del_002.violation) == 1 with input as env("prod", 0.005)
		with data.govctl.params as {"GOV-DEL-002": {"maxErrorRate": 0.001, "tiers": ["prod"]}}
	count(del_002.violation) == 0 with input as env("prod", 0.02)
		with data.govctl.params as {"GOV-DEL-002": {"maxErrorRate": 0.05, "tiers": ["prod"]}}
}
