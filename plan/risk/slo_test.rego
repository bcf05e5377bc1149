package govctl.risk.slo_test

import data.govctl.risk.slo

test_not_critical_any_more_is_medium if {
	slo.rating == {{"level": "medium", "reason": "payments' slo.critical lowered true → false in prod: the rules for critical services stop applying to it"}} with input as {
		"scope": "service", "action": "update", "service": "payments", "env": "prod", "tier": "prod", "segments": ["slo", "critical"], "field": "slo.critical", "from": true, "to": false,
	}
}
