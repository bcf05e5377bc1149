package govctl.rules.reg_003_test

import data.govctl.rules.reg_003

defaults := {"GOV-REG-003": {"minFactor": 3}}

check(interval, deregister_after) := {"platform": {"registry": {"healthCheck": {"interval": interval, "deregisterAfter": deregister_after}}}}

test_deregistering_after_two_checks_fails if {
	reg_003.violation == {{
		"msg": "deregisterAfter 20s is shorter than 3 × the health-check interval 10s: one slow check removes a healthy instance",
		"path": "platform.registry.healthCheck.deregisterAfter",
	}} with input as check("10s", "20s")
		with data.govctl.params as defaults
}

test_exactly_three_checks_passes_at_default if {
	count(reg_003.violation) == 0 with input as check("10s", "30s")
		with data.govctl.params as defaults
}

test_usual_values_pass if {
	count(reg_003.violation) == 0 with input as check("10s", "1m30s")
		with data.govctl.params as defaults
}

test_custom_factor if {
	count(reg_003.violation) == 1 with input as check("10s", "30s")
		with data.govctl.params as {"GOV-REG-003": {"minFactor": 5}}
	count(reg_003.violation) == 0 with input as check("10s", "50s")
		with data.govctl.params as {"GOV-REG-003": {"minFactor": 5}}
}
