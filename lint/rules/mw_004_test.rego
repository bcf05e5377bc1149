package govctl.rules.mw_004_test

import data.govctl.rules.mw_004

service(public, middleware) := {"services": {"gateway": {
	"middleware": middleware,
	"exposure": {"public": public, "hosts": ["shop.acme.io"]},
}}}

test_public_without_auth_fails if {
	mw_004.violation == {{
		"msg": `public service (hosts ["shop.acme.io"]) has no auth middleware: it serves anonymous internet traffic`,
		"service": "gateway",
		"path": "middleware",
	}} with input as service(true, ["recovery", "tracing", "logging", "metrics"])
}

test_public_with_auth_passes if {
	count(mw_004.violation) == 0 with input as service(true, ["recovery", "tracing", "logging", "metrics", "auth"])
}

test_internal_without_auth_passes if {
	count(mw_004.violation) == 0 with input as service(false, ["recovery"])
}
