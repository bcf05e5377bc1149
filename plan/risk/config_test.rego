package govctl.risk_test

import data.govctl.risk

test_live_config_changed_in_prod_is_medium if {
	{"level": "medium", "reason": "live config changed in prod: running services reload it at once"} in risk.rating with input as {
		"action": "update", "target": "nacos", "env": "prod", "tier": "prod",
		"kind": "ConfigEntry", "path": "db.maxOpen", "segments": ["db", "maxOpen"], "op": "change",
		"before": 200, "after": 100,
	}
}

test_live_config_changed_in_staging_is_not_rated_by_config if {
	count(risk.rating) == 0 with input as {
		"action": "update", "target": "nacos", "env": "staging", "tier": "staging",
		"kind": "ConfigEntry", "path": "db.maxOpen", "segments": ["db", "maxOpen"], "op": "change",
		"before": 50, "after": 60,
	}
}
