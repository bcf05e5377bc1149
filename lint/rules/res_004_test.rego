package govctl.rules.res_004_test

import data.govctl.rules.res_004

defaults := {"GOV-RES-004": {"maxRetryBudgetRatio": 1}}

spec(call) := {"services": {"orders": {"timeout": "1s", "dependencies": {"payments": call}}}}

retries(attempts, per_try) := {"attempts": attempts, "perTryTimeout": per_try, "retryOn": "5xx"}

test_retries_beyond_timeout_fail if {
	res_004.violation == {{
		"msg": "retries to payments: attempts 3 × perTryTimeout 300ms exceeds the call's timeout 500ms: the last retry is never sent",
		"service": "orders",
		"path": "dependencies.payments.retries",
	}} with input as spec({"timeout": "500ms", "retries": retries(3, "300ms")})
		with data.govctl.params as defaults
}

test_call_without_timeout_is_bounded_by_the_service if {
	res_004.violation == {{
		"msg": "retries to payments: attempts 4 × perTryTimeout 300ms exceeds the service's own timeout 1s: the last retry is never sent",
		"service": "orders",
		"path": "dependencies.payments.retries",
	}} with input as spec({"retries": retries(4, "300ms")})
		with data.govctl.params as defaults
}

test_budget_equal_to_timeout_passes_at_default if {
	count(res_004.violation) == 0 with input as spec({"timeout": "600ms", "retries": retries(2, "300ms")})
		with data.govctl.params as defaults
}

test_no_retries_pass if {
	count(res_004.violation) == 0 with input as spec({"timeout": "100ms", "retries": retries(0, "300ms")})
		with data.govctl.params as defaults
	count(res_004.violation) == 0 with input as spec({"timeout": "100ms"})
		with data.govctl.params as defaults
}

test_custom_ratio if {
	res_004.violation == {{
		"msg": "retries to payments: attempts 2 × perTryTimeout 300ms exceeds 0.5 × the call's timeout 800ms: the last retry is never sent",
		"service": "orders",
		"path": "dependencies.payments.retries",
	}} with input as spec({"timeout": "800ms", "retries": retries(2, "300ms")})
		with data.govctl.params as {"GOV-RES-004": {"maxRetryBudgetRatio": 0.5}}
}
