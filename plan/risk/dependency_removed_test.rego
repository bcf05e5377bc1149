package govctl.risk.dependency_removed_test

import data.govctl.risk.dependency_removed

removed(tier) := {"scope": "service", "action": "delete", "service": "orders", "env": tier, "tier": tier,
	"segments": ["dependencies", "inventory"], "from": {"timeout": "300ms"}}

# High in prod: inventory's AuthorizationPolicy denies orders from the next apply.
test_removed_dependency_is_high_in_prod if {
	dependency_removed.rating == {{"level": "high", "reason": "inventory now rejects orders in prod: orders no longer declares the dependency, so its calls are denied"}} with input as removed("prod")
}

test_removed_dependency_is_low_in_dev if {
	some r in dependency_removed.rating with input as removed("dev")
	r.level == "low"
}

test_timeout_removed_is_not_a_removed_dependency if {
	count(dependency_removed.rating) == 0 with input as object.union(removed("prod"), {"segments": ["dependencies", "inventory", "timeout"]})
}
