package govctl.rules.sec_001_test

import data.govctl.rules.sec_001

defaults := {"GOV-SEC-001": {"tiers": ["prod"]}}

env(tier, mtls) := {"environment": {"name": tier, "tier": tier, "mtls": mtls}}

test_permissive_prod_fails if {
	sec_001.violation == {{
		"msg": "mTLS is PERMISSIVE in prod (tier prod): plaintext callers without an identity are accepted",
		"path": "environments.prod.mtls",
	}} with input as env("prod", "PERMISSIVE")
		with data.govctl.params as defaults
}

test_strict_prod_passes if {
	count(sec_001.violation) == 0 with input as env("prod", "STRICT")
		with data.govctl.params as defaults
}

test_permissive_dev_passes_at_default if {
	count(sec_001.violation) == 0 with input as env("dev", "PERMISSIVE")
		with data.govctl.params as defaults
}

test_custom_tiers if {
	count(sec_001.violation) == 1 with input as env("staging", "PERMISSIVE")
		with data.govctl.params as {"GOV-SEC-001": {"tiers": ["staging", "prod"]}}
}
