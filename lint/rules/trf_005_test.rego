package govctl.rules.trf_005_test

import data.govctl.rules.trf_005

defaults := {"GOV-TRF-005": {"tiers": ["prod"]}}

test_prod_without_canary_fails if {
	trf_005.violation == {{
		"msg": "prod (tier prod) has no canary: releases go to all traffic at once with no automatic rollback",
		"path": "environments.prod.canary",
	}} with input as {"environment": {"name": "prod", "tier": "prod"}}
		with data.govctl.params as defaults
}

test_prod_with_canary_passes if {
	count(trf_005.violation) == 0 with input as {"environment": {"name": "prod", "tier": "prod", "canary": {"steps": [10, 100]}}}
		with data.govctl.params as defaults
}

test_staging_is_not_a_default_tier if {
	count(trf_005.violation) == 0 with input as {"environment": {"name": "staging", "tier": "staging"}}
		with data.govctl.params as defaults
}

test_custom_tiers if {
	count(trf_005.violation) == 1 with input as {"environment": {"name": "staging", "tier": "staging"}}
		with data.govctl.params as {"GOV-TRF-005": {"tiers": ["staging", "prod"]}}
}
