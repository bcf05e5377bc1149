package govctl.risk.service_removed_test

import data.govctl.risk.service_removed

# High in prod: the service stops serving there, whoever calls it.
test_service_removed_from_prod_is_high if {
	service_removed.rating == {{"level": "high", "reason": "search is removed from prod: its workloads, routes and config are deleted"}} with input as {
		"scope": "service", "action": "delete", "service": "search", "env": "prod", "tier": "prod", "segments": [],
	}
}

test_callers_are_named if {
	some r in service_removed.rating with input as {
		"scope": "service", "action": "delete", "service": "users", "env": "dev", "tier": "dev", "segments": [], "callers": ["orders"],
	}
	r.level == "low"
	endswith(r.reason, "; orders still call it")
}
