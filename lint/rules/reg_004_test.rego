package govctl.rules.reg_004_test

import data.govctl.rules.reg_004

defaults := {"GOV-REG-004": {"maxTimeoutToIntervalRatio": 1}}

check(interval, timeout) := {"platform": {"registry": {"healthCheck": {"interval": interval, "timeout": timeout}}}}

test_timeout_longer_than_interval_fails if {
	reg_004.violation == {{
		"msg": "health-check timeout 15s is not shorter than the interval 10s: checks overlap",
		"path": "platform.registry.healthCheck.timeout",
	}} with input as check("10s", "15s")
		with data.govctl.params as defaults
}

test_timeout_equal_to_interval_fails_at_default if {
	count(reg_004.violation) == 1 with input as check("10s", "10s")
		with data.govctl.params as defaults
}

test_shorter_timeout_passes if {
	count(reg_004.violation) == 0 with input as check("10s", "5s")
		with data.govctl.params as defaults
}

test_custom_ratio if {
	reg_004.violation == {{
		"msg": "health-check timeout 5s is not shorter than 0.5 × the interval 10s: checks overlap",
		"path": "platform.registry.healthCheck.timeout",
	}} with input as check("10s", "5s")
		with data.govctl.params as {"GOV-REG-004": {"maxTimeoutToIntervalRatio": 0.5}}
	count(reg_004.violation) == 0 with input as check("10s", "4s")
		with data.govctl.params as {"GOV-REG-004": {"maxTimeoutToIntervalRatio": 0.5}}
}
