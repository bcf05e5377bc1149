package govctl.rules.mw_003_test

import data.govctl.rules.mw_003

defaults := {"GOV-MW-003": {"tiers": ["staging", "prod"]}}

spec(tier, middleware) := {
	"environment": {"name": tier, "tier": tier},
	"services": {"orders": {"middleware": middleware}},
}

test_prod_without_metrics_fails if {
	mw_003.violation == {{
		"msg": `no metrics middleware in ["recovery", "tracing", "logging"]: the service's requests are not measured`,
		"service": "orders",
		"path": "middleware",
	}} with input as spec("prod", ["recovery", "tracing", "logging"])
		with data.govctl.params as defaults
}

test_staging_is_a_default_tier if {
	count(mw_003.violation) == 1 with input as spec("staging", ["recovery"])
		with data.govctl.params as defaults
}

test_dev_is_not_a_default_tier if {
	count(mw_003.violation) == 0 with input as spec("dev", ["recovery"])
		with data.govctl.params as defaults
}

test_metrics_present_passes if {
	count(mw_003.violation) == 0 with input as spec("prod", ["recovery", "tracing", "logging", "metrics"])
		with data.govctl.params as defaults
}

test_custom_tiers if {
	count(mw_003.violation) == 1 with input as spec("dev", ["recovery"])
		with data.govctl.params as {"GOV-MW-003": {"tiers": ["dev", "staging", "prod"]}}
	count(mw_003.violation) == 0 with input as spec("staging", ["recovery"])
		with data.govctl.params as {"GOV-MW-003": {"tiers": ["prod"]}}
}
