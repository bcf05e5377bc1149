package govctl.risk.breaker_test

import data.govctl.risk.breaker

change(field, from, to, critical) := {"scope": "service", "action": "update", "service": "payments", "env": "prod", "tier": "prod",
	"segments": ["resilience", "circuitBreaker", field], "from": from, "to": to, "after": {"slo": {"critical": critical}}}

# High: payments promises 99.99 %, a looser breaker spends that budget.
test_looser_threshold_on_critical_service_is_high if {
	some r in breaker.rating with input as change("errorThreshold", 0.02, 0.1, true)
	r.level == "high"
	r.reason == "payments' circuit breaker loosened (errorThreshold 0.02 → 0.1) in prod: it is critical, and a failing instance keeps receiving traffic longer"
}

test_tighter_threshold_is_medium if {
	{r.level | some r in breaker.rating} == {"medium"} with input as change("errorThreshold", 0.1, 0.02, true)
}

test_looser_on_non_critical_is_medium if {
	{r.level | some r in breaker.rating} == {"medium"} with input as change("errorThreshold", 0.02, 0.1, false)
}

test_longer_interval_is_looser if {
	some r in breaker.rating with input as change("interval", "30s", "2m", true)
	r.level == "high"
}
