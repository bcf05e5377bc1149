package govctl.rules.res_003_test

import data.govctl.rules.res_003

defaults := {"GOV-RES-003": {"minMinRequests": 50, "maxErrorThreshold": 0.5}}

spec(min_requests, threshold) := {"services": {
	"orders": {"resilience": {"circuitBreaker": {"minRequests": min_requests, "errorThreshold": threshold}}},
	"users": {"resilience": {}},
}}

test_low_min_requests_fails if {
	res_003.violation == {{
		"msg": "circuit breaker minRequests 20 is below 50: it opens on noise at low traffic",
		"service": "orders",
		"path": "resilience.circuitBreaker.minRequests",
	}} with input as spec(20, 0.05)
		with data.govctl.params as defaults
}

test_zero_threshold_fails if {
	res_003.violation == {{
		"msg": "circuit breaker errorThreshold 0 opens on the first error",
		"service": "orders",
		"path": "resilience.circuitBreaker.errorThreshold",
	}} with input as spec(100, 0)
		with data.govctl.params as defaults
}

test_high_threshold_fails if {
	res_003.violation == {{
		"msg": "circuit breaker errorThreshold 0.8 is above 0.5: it keeps calling a dependency that fails most requests",
		"service": "orders",
		"path": "resilience.circuitBreaker.errorThreshold",
	}} with input as spec(100, 0.8)
		with data.govctl.params as defaults
}

test_values_at_the_defaults_pass if {
	count(res_003.violation) == 0 with input as spec(50, 0.5)
		with data.govctl.params as defaults
}

test_usual_breaker_passes if {
	count(res_003.violation) == 0 with input as spec(100, 0.05)
		with data.govctl.params as defaults
}

test_custom_params if {
	count(res_003.violation) == 2 with input as spec(50, 0.5)
		with data.govctl.params as {"GOV-RES-003": {"minMinRequests": 100, "maxErrorThreshold": 0.1}}
	count(res_003.violation) == 0 with input as spec(20, 0.05)
		with data.govctl.params as {"GOV-RES-003": {"minMinRequests": 10, "maxErrorThreshold": 0.1}}
}
