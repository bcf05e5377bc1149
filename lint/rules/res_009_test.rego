package govctl.rules.res_009_test

import data.govctl.rules.res_009

defaults := {"GOV-RES-009": {"tiers": ["prod"]}}

spec(tier, public, resilience) := {
	"environment": {"name": tier, "tier": tier},
	"services": {"gateway": {"exposure": {"public": public, "hosts": ["shop.acme.io"]}, "resilience": resilience}},
}

test_public_without_rate_limit_fails_in_prod if {
	res_009.violation == {{
		"msg": "public service has no rate limit: any burst from the internet reaches it and its dependencies",
		"service": "gateway",
		"path": "resilience.rateLimit",
	}} with input as spec("prod", true, {})
		with data.govctl.params as defaults
}

test_rate_limited_public_service_passes if {
	count(res_009.violation) == 0 with input as spec("prod", true, {"rateLimit": {"rps": 500, "burst": 100}})
		with data.govctl.params as defaults
}

test_internal_service_passes if {
	count(res_009.violation) == 0 with input as spec("prod", false, {})
		with data.govctl.params as defaults
}

test_staging_is_not_a_default_tier if {
	count(res_009.violation) == 0 with input as spec("staging", true, {})
		with data.govctl.params as defaults
}

test_custom_tiers if {
	count(res_009.violation) == 1 with input as spec("staging", true, {})
		with data.govctl.params as {"GOV-RES-009": {"tiers": ["staging", "prod"]}}
}
