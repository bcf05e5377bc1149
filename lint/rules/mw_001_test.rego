package govctl.rules.mw_001_test

import data.govctl.rules.mw_001

chain(middleware) := {"services": {"orders": {"middleware": middleware}}}

test_recovery_after_tracing_fails if {
	mw_001.violation == {{
		"msg": `recovery is not the first middleware in ["tracing", "recovery", "logging"]: panics in "tracing" and anything before recovery crash the process`,
		"service": "orders",
		"path": "middleware",
	}} with input as chain(["tracing", "recovery", "logging"])
}

test_missing_recovery_fails if {
	mw_001.violation == {{
		"msg": `middleware chain ["tracing", "logging"] has no recovery: a panic in a handler crashes the process`,
		"service": "orders",
		"path": "middleware",
	}} with input as chain(["tracing", "logging"])
}

test_empty_chain_fails if {
	count(mw_001.violation) == 1 with input as chain([])
}

test_recovery_first_passes if {
	count(mw_001.violation) == 0 with input as chain(["recovery", "tracing", "logging", "metrics", "auth"])
}
