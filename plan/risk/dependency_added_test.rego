package govctl.risk.dependency_added_test

import data.govctl.risk.dependency_added

test_new_dependency_is_medium_in_prod if {
	dependency_added.rating == {{"level": "medium", "reason": "orders may now call payments in prod: payments accepts a new caller"}} with input as {
		"scope": "service", "action": "create", "service": "orders", "env": "prod", "tier": "prod",
		"segments": ["dependencies", "payments"], "to": {"timeout": "800ms"},
	}
}
