package govctl.rules.tst_003_test

import data.govctl.rules.tst_003

test_forbidden_object_fails if {
	count(tst_003.violation) == 1 with input as {"objects": [{"service": "a", "id": {"kind": "Forbidden", "name": "x"}}]}
}
