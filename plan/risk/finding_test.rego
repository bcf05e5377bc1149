package govctl.risk.finding_test

import data.govctl.risk.finding

# High: an error lint would fail the pipeline on.
test_new_error_is_high if {
	finding.rating == {{"level": "high", "reason": "new error GOV-RES-001 on orders: calls payments but has no circuit breaker"}} with input as {
		"scope": "finding", "service": "orders", "finding": {"rule": "GOV-RES-001", "severity": "error", "message": "calls payments but has no circuit breaker", "new": true},
	}
}
