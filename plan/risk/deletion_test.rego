package govctl.risk_test

import data.govctl.risk

test_deleted_in_prod_is_high if {
	{"level": "high", "reason": "deleted from prod"} in risk.rating with input as {
		"action": "delete", "target": "istio", "env": "prod", "tier": "prod",
		"kind": "VirtualService", "path": "", "segments": [], "op": "",
	}
}

test_deleted_in_staging_is_medium if {
	{"level": "medium", "reason": "deleted from staging"} in risk.rating with input as {
		"action": "delete", "target": "kratos", "env": "staging", "tier": "staging",
		"kind": "KratosBootstrap", "path": "", "segments": [], "op": "",
	}
}

test_deleted_in_dev_is_low if {
	{"level": "low", "reason": "deleted from dev"} in risk.rating with input as {
		"action": "delete", "target": "kratos", "env": "dev", "tier": "dev",
		"kind": "KratosBootstrap", "path": "", "segments": [], "op": "",
	}
}

test_created_is_low if {
	{"level": "low", "reason": "created in prod"} in risk.rating with input as {
		"action": "create", "target": "istio", "env": "prod", "tier": "prod",
		"kind": "VirtualService", "path": "", "segments": [], "op": "",
	}
}

test_fallback_in_dev_names_dev if {
	risk.fallback == {"level": "low", "reason": "only dev changes; dev takes every change first"} with input as {
		"action": "update", "target": "kratos", "env": "dev", "tier": "dev",
		"kind": "KratosBootstrap", "path": "version", "segments": ["version"], "op": "change",
		"before": "v1", "after": "v2",
	}
}

test_unrated_prod_change_falls_back_to_low if {
	count(risk.rating) == 0 with input as {
		"action": "update", "target": "kratos", "env": "prod", "tier": "prod",
		"kind": "KratosBootstrap", "path": "service.version", "segments": ["service", "version"], "op": "change",
		"before": "v1", "after": "v2",
	}
	risk.fallback.level == "low" with input as {"tier": "prod", "env": "prod"}
}
