package govctl.rules.trf_003_test

import data.govctl.rules.trf_003

defaults := {"GOV-TRF-003": {"tiers": ["prod"]}}

env(tier) := {"environment": {"name": tier, "tier": tier, "mirror": {"percent": 10, "subset": "canary"}}}

test_mirroring_in_prod_fails if {
	trf_003.violation == {{
		"msg": "prod (tier prod) mirrors 10 % of live traffic: mirrored requests repeat their side effects",
		"path": "environments.prod.mirror",
	}} with input as env("prod")
		with data.govctl.params as defaults
}

test_mirroring_in_staging_passes if {
	count(trf_003.violation) == 0 with input as env("staging")
		with data.govctl.params as defaults
}

test_prod_without_mirror_passes if {
	count(trf_003.violation) == 0 with input as {"environment": {"name": "prod", "tier": "prod"}}
		with data.govctl.params as defaults
}

test_custom_tiers if {
	count(trf_003.violation) == 1 with input as env("staging")
		with data.govctl.params as {"GOV-TRF-003": {"tiers": ["staging", "prod"]}}
}
