package govctl.risk.dependency_tuned_test

import data.govctl.risk.dependency_tuned

test_call_timeout_is_medium_in_staging if {
	dependency_tuned.rating == {{"level": "medium", "reason": "orders → payments timeout 800ms → 2s in staging"}} with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "staging", "tier": "staging",
		"segments": ["dependencies", "payments", "timeout"], "from": "800ms", "to": "2s",
	}
}
