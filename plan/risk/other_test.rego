package govctl.risk.other_test

import data.govctl.risk.other

test_ports_change_is_rated_low if {
	other.rating == {{"level": "low", "reason": "orders: ports.http 8000 → 8080 in prod"}} with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "prod", "tier": "prod", "field": "ports.http", "from": 8000, "to": 8080,
	}
}
