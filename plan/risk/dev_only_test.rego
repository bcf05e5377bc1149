package govctl.risk.dev_only_test

import data.govctl.risk.dev_only

test_dev_timeout_is_low if {
	dev_only.rating == {{"level": "low", "reason": "orders' timeout in dev: dev only"}} with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "dev", "tier": "dev", "field": "timeout",
	}
}

test_prod_is_not_dev_only if {
	count(dev_only.rating) == 0 with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "prod", "tier": "prod", "field": "timeout",
	}
}
