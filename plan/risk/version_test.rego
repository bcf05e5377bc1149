package govctl.risk.version_test

import data.govctl.risk.version

bump(tier, env) := {"scope": "service", "action": "update", "service": "orders", "env": tier, "tier": tier,
	"segments": ["version"], "from": "v1.4.2", "to": "v1.5.0", "environment": env}

test_bump_in_prod_is_medium_through_canary if {
	version.rating == {{"level": "medium", "reason": "deploys orders v1.4.2 → v1.5.0 to prod through its canary"}} with input as bump("prod", {"after": {"canary": {"steps": [10, 100]}}})
}

test_bump_in_staging_is_low_and_names_no_canary if {
	version.rating == {{"level": "low", "reason": "deploys orders v1.4.2 → v1.5.0 to staging"}} with input as bump("staging", {"after": {}})
}
