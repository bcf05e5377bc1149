package govctl.risk.fail_on_test

import data.govctl.risk.fail_on

# High: warnings (a missing breaker in prod, say) stop failing the pipeline.
test_fail_on_error_is_high if {
	fail_on.rating == {{"level": "high", "reason": "lint fails only on error now (was warning): findings below it no longer block a merge, prod included"}} with input as {
		"scope": "policies", "action": "update", "env": "", "tier": "prod", "segments": ["failOn"], "from": "warning", "to": "error",
	}
}

test_fail_on_stricter_is_low if {
	{r.level | some r in fail_on.rating} == {"low"} with input as {
		"scope": "policies", "action": "update", "env": "", "tier": "prod", "segments": ["failOn"], "from": "error", "to": "warning",
	}
}
