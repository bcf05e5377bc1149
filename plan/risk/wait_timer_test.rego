package govctl.risk.wait_timer_test

import data.govctl.risk.wait_timer

# High in prod: 0s leaves no window to stop an approved deploy.
test_wait_timer_cut_in_prod_is_high if {
	wait_timer.rating == {{"level": "high", "reason": "wait timer cut 10m → 0s in prod: less time to stop a deploy after approval"}} with input as {
		"scope": "environment", "action": "update", "env": "prod", "tier": "prod", "segments": ["waitTimer"], "from": "10m", "to": "0s",
	}
}

test_wait_timer_raised_is_low if {
	{r.level | some r in wait_timer.rating} == {"low"} with input as {
		"scope": "environment", "action": "update", "env": "prod", "tier": "prod", "segments": ["waitTimer"], "from": "5m", "to": "10m",
	}
}
