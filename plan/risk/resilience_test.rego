package govctl.risk_test

import data.govctl.risk

test_timeout_changed_in_prod_is_medium if {
	{"level": "medium", "reason": "timeout changed in prod (spec.http[0].timeout: 1s → 2s)"} in risk.rating with input as {
		"action": "update", "target": "istio", "env": "prod", "tier": "prod",
		"kind": "VirtualService", "path": "spec.http[0].timeout", "segments": ["spec", "http", 0, "timeout"], "op": "change",
		"before": "1s", "after": "2s",
	}
}

test_retries_changed_in_staging_is_medium if {
	some r in risk.rating with input as {
		"action": "update", "target": "istio", "env": "staging", "tier": "staging",
		"kind": "VirtualService", "path": "spec.http[0].retries.attempts", "segments": ["spec", "http", 0, "retries", "attempts"],
		"op": "change", "before": 2, "after": 5,
	}
	r.level == "medium"
	startswith(r.reason, "retries changed in staging")
}

test_breaker_timeout_is_the_breakers if {
	some r in risk.rating with input as {
		"action": "update", "target": "kratos", "env": "prod", "tier": "prod",
		"kind": "Service", "path": "resilience.circuitBreaker.timeout", "segments": ["resilience", "circuitBreaker", "timeout"],
		"op": "change", "before": "5s", "after": "10s",
	}
	startswith(r.reason, "circuit breaker changed in prod")
}

test_rate_limit_changed_in_prod_is_medium if {
	some r in risk.rating with input as {
		"action": "update", "target": "istio", "env": "prod", "tier": "prod",
		"kind": "EnvoyFilter", "path": "resilience.rateLimit.rps", "segments": ["resilience", "rateLimit", "rps"],
		"op": "change", "before": 1000, "after": 200,
	}
	r.level == "medium"
	startswith(r.reason, "rate limit changed in prod")
}

test_timeout_changed_in_dev_is_low if {
	{"level": "low", "reason": "timeout changed in dev (timeout: 1s → 3s)"} in risk.rating with input as {
		"action": "update", "target": "kratos", "env": "dev", "tier": "dev",
		"kind": "Service", "path": "timeout", "segments": ["timeout"], "op": "change",
		"before": "1s", "after": "3s",
	}
}
