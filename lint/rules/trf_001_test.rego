package govctl.rules.trf_001_test

import data.govctl.rules.trf_001

env(steps) := {"environment": {"name": "prod", "tier": "prod", "canary": {"steps": steps}}}

test_decreasing_step_fails if {
	trf_001.violation == {{
		"msg": "canary step 2 (10 %) does not increase on the step before it (30 %) in [30, 10, 100]",
		"path": "environments.prod.canary.steps",
	}} with input as env([30, 10, 100])
}

test_repeated_step_fails if {
	count(trf_001.violation) == 1 with input as env([10, 10, 100])
}

test_not_ending_at_100_fails if {
	trf_001.violation == {{
		"msg": "canary steps [10, 30, 50] end at 50 %, not 100 %: the rollout never completes",
		"path": "environments.prod.canary.steps",
	}} with input as env([10, 30, 50])
}

test_increasing_steps_to_100_pass if {
	count(trf_001.violation) == 0 with input as env([10, 30, 100])
	count(trf_001.violation) == 0 with input as env([100])
}

test_no_canary_passes if {
	count(trf_001.violation) == 0 with input as {"environment": {"name": "dev", "tier": "dev"}}
}
