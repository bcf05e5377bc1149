package govctl.risk.timeouts_test

import data.govctl.risk.timeouts

test_timeout_in_prod_is_medium if {
	timeouts.rating == {{"level": "medium", "reason": "orders' timeout 1s → 3s in prod"}} with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "prod", "tier": "prod", "segments": ["timeout"], "field": "timeout", "from": "1s", "to": "3s",
	}
}
