package govctl.risk.labels_test

import data.govctl.risk.labels

test_owner_is_low if {
	labels.rating == {{"level": "low", "reason": "orders' owner team-a → team-b in prod: labels only"}} with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "prod", "tier": "prod", "segments": ["owner"], "field": "owner", "from": "team-a", "to": "team-b",
	}
}
