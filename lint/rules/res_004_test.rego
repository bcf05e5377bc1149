package govctl.rules.res_004_test

import data.govctl.rules.res_004

defaults := {"GOV-RES-004": {"maxRetryBudgetRatio": 1}}

spec(call) := {"services": {
	"orders": {"timeout": "1s", "dependencies": {"payments": call}},
	"payments": {"timeout": "900ms"},
}}

retries(attempts, per_try) := {"attempts": attempts, "perTryTimeout": per_try, "retryOn": "5xx"}

test_retries_beyond_timeout_fail if {
	res_004.violation == {{
		"msg": "retries to payments: 4 tries (attempts 3 + 1) × perTryTimeout 300ms exceed the call's timeout 500ms: the last retry is never sent",
		"service": "orders",
		"path": "dependencies.payments.retries",
	}} with input as spec({"timeout": "500ms", "retries": retries(3, "300ms")})
		with data.govctl.params as defaults
}

# attempts counts retries: 2 retries of 300ms need 900ms, not 600ms.
test_attempts_are_retries_after_the_first_try if {
	res_004.violation == {{
		"msg": "retries to payments: 3 tries (attempts 2 + 1) × perTryTimeout 300ms exceed the call's timeout 600ms: the last retry is never sent",
		"service": "orders",
		"path": "dependencies.payments.retries",
	}} with input as spec({"timeout": "600ms", "retries": retries(2, "300ms")})
		with data.govctl.params as defaults
}

# Without a call timeout the route's deadline is the callee's own timeout
# (payments' 900ms), not the caller's.
test_call_without_timeout_is_bounded_by_the_callee if {
	res_004.violation == {{
		"msg": "retries to payments: 4 tries (attempts 3 + 1) × perTryTimeout 300ms exceed payments's own timeout 900ms: the last retry is never sent",
		"service": "orders",
		"path": "dependencies.payments.retries",
	}} with input as spec({"retries": retries(3, "300ms")})
		with data.govctl.params as defaults
}

test_budget_equal_to_timeout_passes_at_default if {
	count(res_004.violation) == 0 with input as spec({"timeout": "900ms", "retries": retries(2, "300ms")})
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
		"msg": "retries to payments: 3 tries (attempts 2 + 1) × perTryTimeout 300ms exceed 0.5 × the call's timeout 800ms: the last retry is never sent",
		"service": "orders",
		"path": "dependencies.payments.retries",
	}} with input as spec({"timeout": "800ms", "retries": retries(2, "300ms")})
		with data.govctl.params as {"GOV-RES-004": {"maxRetryBudgetRatio": 0.5}}
}
