package govctl.risk.service_renamed_test

import data.govctl.risk.service_renamed

test_rename_is_one_medium_change_in_prod if {
	service_renamed.rating == {{"level": "medium", "reason": "notifications is renamed notify in prod: workloads are created under the new name and the old ones deleted"}} with input as {
		"scope": "service", "action": "rename", "service": "notify", "env": "prod", "tier": "prod", "segments": [], "from": "notifications", "to": "notify",
	}
}

test_caller_following_rename_is_low if {
	service_renamed.rating == {{"level": "low", "reason": "orders follows the rename of notifications to notify in prod"}} with input as {
		"scope": "service", "action": "rename", "service": "orders", "env": "prod", "tier": "prod", "segments": ["dependencies", "notify"], "from": "notifications", "to": "notify",
	}
}
