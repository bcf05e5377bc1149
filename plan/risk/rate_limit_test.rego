package govctl.risk.rate_limit_test

import data.govctl.risk.rate_limit

defaults := {"RISK-RTL-001": {"cut": 0.5}}

cut(public, critical) := {"scope": "service", "action": "update", "service": "gateway", "env": "prod", "tier": "prod",
	"segments": ["resilience", "rateLimit", "rps"], "from": 1000, "to": 300,
	"after": {"exposure": {"public": public}, "slo": {"critical": critical}}}

# High: a 70 % cut on the only public service rejects real traffic.
test_deep_cut_on_public_service_is_high if {
	some r in rate_limit.rating with input as cut(true, false) with data.govctl.params as defaults
	r.level == "high"
	r.reason == "gateway's rate limit cut 70% (1000 → 300 rps) in prod: it is public, so today's peak becomes 429s"
}

# High: the same cut on a critical service.
test_deep_cut_on_critical_service_is_high if {
	some r in rate_limit.rating with input as cut(false, true) with data.govctl.params as defaults
	r.level == "high"
}

test_deep_cut_on_internal_service_is_medium if {
	{r.level | some r in rate_limit.rating} == {"medium"} with input as cut(false, false) with data.govctl.params as defaults
}
