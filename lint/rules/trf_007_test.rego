package govctl.rules.trf_007_test

import data.govctl.rules.trf_007

spec(traffic, mirror) := {
	"environment": {"name": "staging", "mirror": mirror},
	"services": {"orders": {"version": "v2", "traffic": traffic}},
}

test_mirror_to_canary_without_a_rollout_is_reported if {
	trf_007.violation == {{
		"msg": "staging mirrors 10 % to the canary subset, but no canary of orders runs there: nothing is mirrored for it",
		"service": "orders",
		"path": "traffic.mirror",
	}} with input as spec({"mirror": true}, {"percent": 10, "subset": "canary"})
}

test_rollout_in_progress_passes if {
	count(trf_007.violation) == 0 with input as spec({"mirror": true, "stableVersion": "v1"}, {"percent": 10, "subset": "canary"})
}

test_mirror_to_stable_passes if {
	count(trf_007.violation) == 0 with input as spec({"mirror": true}, {"percent": 10, "subset": "stable"})
}

test_service_opted_out_passes if {
	count(trf_007.violation) == 0 with input as spec({"mirror": false}, {"percent": 10, "subset": "canary"})
}

test_no_mirror_passes if {
	count(trf_007.violation) == 0 with input as {"environment": {"name": "dev"}, "services": {"orders": {"version": "v2", "traffic": {"mirror": true}}}}
}
