package govctl.rules.res_001_test

import data.govctl.rules.res_001

defaults := {"GOV-RES-001": {"tiers": ["prod"]}}

breaker := {"minRequests": 100, "interval": "60s", "timeout": "5s", "errorThreshold": 0.05}

spec(tier, resilience) := {
	"environment": {"name": tier, "tier": tier},
	"services": {
		"orders": {"dependencies": {"payments": {"timeout": "800ms"}, "users": {"timeout": "200ms"}}, "resilience": resilience},
		"users": {"dependencies": {}, "resilience": {}},
	},
}

test_caller_without_breaker_fails_in_prod if {
	res_001.violation == {{
		"msg": "calls payments, users but has no circuit breaker: a failing dependency exhausts this service and the failure cascades",
		"service": "orders",
		"path": "resilience.circuitBreaker",
	}} with input as spec("prod", {})
		with data.govctl.params as defaults
}

test_caller_with_breaker_passes if {
	count(res_001.violation) == 0 with input as spec("prod", {"circuitBreaker": breaker})
		with data.govctl.params as defaults
}

test_staging_is_not_a_default_tier if {
	count(res_001.violation) == 0 with input as spec("staging", {})
		with data.govctl.params as defaults
}

test_custom_tiers if {
	count(res_001.violation) == 1 with input as spec("staging", {})
		with data.govctl.params as {"GOV-RES-001": {"tiers": ["staging", "prod"]}}
}
