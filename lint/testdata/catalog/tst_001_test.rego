package govctl.rules.tst_001_test

import data.govctl.rules.tst_001

test_one_replica_fails if {
	count(tst_001.violation) == 1 with input as {"services": {"a": {"replicas": 1}}}
}

test_three_replicas_passes if {
	count(tst_001.violation) == 0 with input as {"services": {"a": {"replicas": 3}}}
}
