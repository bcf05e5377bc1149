package govctl.rules.mw_002_test

import data.govctl.rules.mw_002

chain(middleware) := {"services": {"orders": {"middleware": middleware}}}

test_logging_before_tracing_fails if {
	mw_002.violation == {{
		"msg": "logging (position 2) runs before tracing (position 3): access logs carry no trace_id",
		"service": "orders",
		"path": "middleware",
	}} with input as chain(["recovery", "logging", "tracing", "metrics"])
}

test_tracing_before_logging_passes if {
	count(mw_002.violation) == 0 with input as chain(["recovery", "tracing", "logging", "metrics"])
}

test_chain_without_both_passes if {
	count(mw_002.violation) == 0 with input as chain(["recovery", "logging"])
}
