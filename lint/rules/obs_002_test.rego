package govctl.rules.obs_002_test

import data.govctl.rules.obs_002

defaults := {"GOV-OBS-002": {"maxP99ToTimeoutRatio": 1}}

spec(timeout, slo) := {"services": {"payments": {"timeout": timeout, "slo": slo}}}

test_p99_above_timeout_fails if {
	obs_002.violation == {{
		"msg": "p99 objective 600ms is not below the service's timeout 500ms: requests that slow time out instead",
		"service": "payments",
		"path": "slo.p99",
	}} with input as spec("500ms", {"critical": true, "p99": "600ms"})
		with data.govctl.params as defaults
}

test_p99_equal_to_timeout_fails_at_default if {
	count(obs_002.violation) == 1 with input as spec("600ms", {"critical": true, "p99": "600ms"})
		with data.govctl.params as defaults
}

test_critical_without_p99_fails if {
	obs_002.violation == {{
		"msg": "critical service has no p99 latency objective",
		"service": "payments",
		"path": "slo.p99",
	}} with input as spec("500ms", {"critical": true})
		with data.govctl.params as defaults
}

test_p99_below_timeout_passes if {
	count(obs_002.violation) == 0 with input as spec("900ms", {"critical": true, "p99": "600ms"})
		with data.govctl.params as defaults
}

test_non_critical_passes if {
	count(obs_002.violation) == 0 with input as spec("500ms", {"critical": false})
		with data.govctl.params as defaults
}

test_custom_ratio if {
	obs_002.violation == {{
		"msg": "p99 objective 600ms is not below 0.5 × the service's timeout 900ms: requests that slow time out instead",
		"service": "payments",
		"path": "slo.p99",
	}} with input as spec("900ms", {"critical": true, "p99": "600ms"})
		with data.govctl.params as {"GOV-OBS-002": {"maxP99ToTimeoutRatio": 0.5}}
}
