package govctl.risk.approvals_test

import data.govctl.risk.approvals

# High in prod: one person can ship alone.
test_fewer_approvals_in_prod_is_high if {
	approvals.rating == {{"level": "high", "reason": "approvals lowered 2 → 1 in prod: fewer people review a deploy"}} with input as {
		"scope": "environment", "action": "update", "env": "prod", "tier": "prod", "segments": ["approvals"], "from": 2, "to": 1,
	}
}

test_fewer_approvals_in_staging_is_medium if {
	{r.level | some r in approvals.rating} == {"medium"} with input as {
		"scope": "environment", "action": "update", "env": "staging", "tier": "staging", "segments": ["approvals"], "from": 1, "to": 0,
	}
}
