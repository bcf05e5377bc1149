package govctl.rules.mw_005_test

import data.govctl.rules.mw_005

chain(middleware) := {"services": {"orders": {"middleware": middleware}}}

test_duplicate_fails if {
	mw_005.violation == {{
		"msg": `middleware "metrics" appears 2 times in ["recovery", "metrics", "logging", "metrics"]: it runs 2 times per request`,
		"service": "orders",
		"path": "middleware",
	}} with input as chain(["recovery", "metrics", "logging", "metrics"])
}

test_distinct_passes if {
	count(mw_005.violation) == 0 with input as chain(["recovery", "tracing", "logging", "metrics", "auth"])
}
