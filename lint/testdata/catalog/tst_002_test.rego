package govctl.rules.tst_002_test

import data.govctl.rules.tst_002

test_full_sampling_fails if {
	count(tst_002.violation) == 1 with input as {"now": "x", "platform": {"telemetry": {"tracing": {"sampling": 1}}}}
}
