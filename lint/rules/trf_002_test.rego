package govctl.rules.trf_002_test

import data.govctl.rules.trf_002

defaults := {"GOV-TRF-002": {"maxFirstCanaryStep": 30, "tiers": ["prod"]}}

env(tier, steps) := {"environment": {"name": tier, "tier": tier, "canary": {"steps": steps}}}

test_large_first_step_fails if {
	trf_002.violation == {{
		"msg": "first canary step is 50 %, above 30 %: a bad release hits that share before the gate decides",
		"path": "environments.prod.canary.steps",
	}} with input as env("prod", [50, 100])
		with data.govctl.params as defaults
}

test_first_step_at_the_default_passes if {
	count(trf_002.violation) == 0 with input as env("prod", [30, 100])
		with data.govctl.params as defaults
}

test_staging_is_not_a_default_tier if {
	count(trf_002.violation) == 0 with input as env("staging", [50, 100])
		with data.govctl.params as defaults
}

test_custom_limit if {
	count(trf_002.violation) == 1 with input as env("prod", [10, 100])
		with data.govctl.params as {"GOV-TRF-002": {"maxFirstCanaryStep": 5, "tiers": ["prod"]}}
	count(trf_002.violation) == 1 with input as env("staging", [50, 100])
		with data.govctl.params as {"GOV-TRF-002": {"maxFirstCanaryStep": 30, "tiers": ["staging", "prod"]}}
}
