package govctl.rules.res_007_test

import data.govctl.rules.res_007

defaults := {"GOV-RES-007": {"maxFallbackTimeoutRatio": 1}}

spec(timeout, degradation) := {"services": {"orders": {"timeout": timeout, "resilience": {"degradation": degradation}}}}

degradation(fallback_timeout) := {"warnAt": 0.05, "degradeAt": 0.2, "fallbackTo": "orders-lite", "fallbackTimeout": fallback_timeout}

test_fallback_timeout_beyond_deadline_fails if {
	res_007.violation == {{
		"msg": "fallbackTimeout 800ms to orders-lite is not shorter than the service's own timeout 500ms: the fallback is cancelled before it answers",
		"service": "orders",
		"path": "resilience.degradation.fallbackTimeout",
	}} with input as spec("500ms", degradation("800ms"))
		with data.govctl.params as defaults
}

test_equal_fails_at_default if {
	count(res_007.violation) == 1 with input as spec("800ms", degradation("800ms"))
		with data.govctl.params as defaults
}

test_shorter_fallback_timeout_passes if {
	count(res_007.violation) == 0 with input as spec("1s", degradation("150ms"))
		with data.govctl.params as defaults
}

test_without_fallback_the_timeout_is_unused if {
	count(res_007.violation) == 0 with input as spec("500ms", {"warnAt": 0.05, "degradeAt": 0.2, "fallbackTimeout": "800ms"})
		with data.govctl.params as defaults
}

test_custom_ratio if {
	res_007.violation == {{
		"msg": "fallbackTimeout 500ms to orders-lite is not shorter than 0.5 × the service's own timeout 1s: the fallback is cancelled before it answers",
		"service": "orders",
		"path": "resilience.degradation.fallbackTimeout",
	}} with input as spec("1s", degradation("500ms"))
		with data.govctl.params as {"GOV-RES-007": {"maxFallbackTimeoutRatio": 0.5}}
}
