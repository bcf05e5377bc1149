package govctl.rules.res_002_test

import data.govctl.rules.res_002

defaults := {"GOV-RES-002": {"maxTimeoutRatio": 1}}

spec(own, call) := {"services": {"orders": {"timeout": own, "dependencies": {"payments": call, "users": {"optional": false}}}}}

test_longer_dependency_timeout_fails if {
	res_002.violation == {{
		"msg": "timeout of the call to payments (2s) exceeds the service's own timeout 1s: the caller's deadline expires first",
		"service": "orders",
		"path": "dependencies.payments.timeout",
	}} with input as spec("1s", {"timeout": "2s"})
		with data.govctl.params as defaults
}

test_equal_timeout_passes_at_default if {
	count(res_002.violation) == 0 with input as spec("1s", {"timeout": "1s"})
		with data.govctl.params as defaults
}

test_shorter_timeout_passes if {
	count(res_002.violation) == 0 with input as spec("1s", {"timeout": "800ms"})
		with data.govctl.params as defaults
}

test_custom_ratio if {
	res_002.violation == {{
		"msg": "timeout of the call to payments (900ms) exceeds 0.8 × the service's own timeout 1s: the caller's deadline expires first",
		"service": "orders",
		"path": "dependencies.payments.timeout",
	}} with input as spec("1s", {"timeout": "900ms"})
		with data.govctl.params as {"GOV-RES-002": {"maxTimeoutRatio": 0.8}}
	count(res_002.violation) == 0 with input as spec("1s", {"timeout": "800ms"})
		with data.govctl.params as {"GOV-RES-002": {"maxTimeoutRatio": 0.8}}
}
