package govctl.risk.service_added_test

import data.govctl.risk.service_added

test_new_service_is_low if {
	service_added.rating == {{"level": "low", "reason": "new service search in prod"}} with input as {
		"scope": "service", "action": "create", "service": "search", "env": "prod", "tier": "prod", "segments": [], "after": {"exposure": {"public": false}},
	}
}

test_new_public_service_is_medium if {
	some r in service_added.rating with input as {
		"scope": "service", "action": "create", "service": "search", "env": "prod", "tier": "prod", "segments": [], "after": {"exposure": {"public": true}},
	}
	r.level == "medium"
}
