package govctl.risk.canary_test

import data.govctl.risk.canary

canary := {"steps": [10, 30, 100], "maxErrorRate": 0.005}

change(tier, field, from, to, env) := {"scope": "environment", "action": "update", "env": tier, "tier": tier,
	"segments": field, "from": from, "to": to, "environment": env}

# High: a 0.02 error rate passes a gate that rolled back at 0.005.
test_threshold_raised_in_prod_is_high if {
	canary.rating == {{"level": "high", "reason": "rollback threshold raised 0.005 → 0.02 in prod: a worse canary passes the gate"}} with input as change("prod", ["canary", "maxErrorRate"], 0.005, 0.02, {"before": {"canary": canary}, "after": {"canary": canary}})
}

# High: 50 % of prod traffic sees the new version before any gate.
test_first_step_raised_in_prod_is_high if {
	some r in canary.rating with input as change("prod", ["canary", "steps"], [10, 30, 100], [50, 100], {"before": {"canary": canary}})
	r.level == "high"
	contains(r.reason, "10% → 50%")
}

test_steps_removed_in_prod_is_high if {
	some r in canary.rating with input as change("prod", ["canary", "steps"], [10, 30, 100], [10, 100], {"before": {"canary": canary}})
	r.level == "high"
}

# No canary reason where there is no canary: staging has none.
test_no_canary_no_rating if {
	count(canary.rating) == 0 with input as change("staging", ["canary", "maxErrorRate"], 0.005, 0.02, {"before": {}, "after": {}})
}

test_tighter_threshold_is_medium if {
	{r.level | some r in canary.rating} == {"medium"} with input as change("prod", ["canary", "maxErrorRate"], 0.02, 0.005, {"before": {"canary": canary}})
}
