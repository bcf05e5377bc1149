package govctl.risk.environment_test

import data.govctl.risk.environment

# High: every prod workload goes.
test_prod_removed_is_high if {
	environment.rating == {{"level": "high", "reason": "environment prod is removed: every service's objects there are deleted"}} with input as {
		"scope": "environment", "action": "delete", "env": "prod", "tier": "prod", "segments": [],
	}
}
