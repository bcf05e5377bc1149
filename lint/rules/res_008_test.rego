package govctl.rules.res_008_test

import data.govctl.rules.res_008

spec(degradation) := {"services": {"orders": {"resilience": {"degradation": degradation}}}}

test_degrade_below_warn_fails if {
	res_008.violation == {{
		"msg": "degradeAt 0.1 is not above warnAt 0.2: the service degrades without warning",
		"service": "orders",
		"path": "resilience.degradation.degradeAt",
	}} with input as spec({"warnAt": 0.2, "degradeAt": 0.1})
}

test_fatal_not_above_degrade_fails if {
	res_008.violation == {{
		"msg": "fatalAt 0.2 is not above degradeAt 0.2: requests fail before the fallback is tried",
		"service": "orders",
		"path": "resilience.degradation.fatalAt",
	}} with input as spec({"warnAt": 0.05, "degradeAt": 0.2, "fatalAt": 0.2})
}

test_ordered_levels_pass if {
	count(res_008.violation) == 0 with input as spec({"warnAt": 0.05, "degradeAt": 0.2, "fatalAt": 0.5})
	count(res_008.violation) == 0 with input as spec({"warnAt": 0.05, "degradeAt": 0.2})
}
