package govctl.risk.replicas_test

import data.govctl.risk.replicas

defaults := {"RISK-REP-001": {"minReplicas": 2, "cut": 0.5}}

change(tier, from, to) := {"scope": "service", "action": "update", "service": "payments", "env": tier, "tier": tier,
	"segments": ["replicas"], "from": from, "to": to}

# High: one replica in prod has no redundancy.
test_one_replica_in_prod_is_high if {
	some r in replicas.rating with input as change("prod", 4, 1) with data.govctl.params as defaults
	r.level == "high"
	r.reason == "payments runs 1 replica(s) in prod (was 4): a node drain or one crash takes it down"
}

# High: a cut of half loses half the capacity at once.
test_halving_in_prod_is_high if {
	some r in replicas.rating with input as change("prod", 6, 3) with data.govctl.params as defaults
	r.level == "high"
}

test_small_cut_in_prod_is_medium if {
	levels := {r.level | some r in replicas.rating} with input as change("prod", 6, 5) with data.govctl.params as defaults
	levels == {"medium"}
}

test_dev_is_not_rated_high if {
	count(replicas.rating) == 0 with input as change("dev", 2, 1) with data.govctl.params as defaults
}

test_more_replicas_is_low if {
	replicas.rating == {{"level": "low", "reason": "payments' replicas 4 → 6 in prod"}} with input as change("prod", 4, 6) with data.govctl.params as defaults
}
