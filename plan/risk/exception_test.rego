package govctl.risk.exception_test

import data.govctl.risk.exception

exc := {"rule": "GOV-RES-001", "reason": "migrating", "expires": "2030-01-01", "environments": []}

# High in prod: a four-year waiver of the breaker rule.
test_new_exception_in_prod_is_high if {
	exception.rating == {{"level": "high", "reason": "orders is exempted from GOV-RES-001 until 2030-01-01 in prod: the rule stops checking it"}} with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "prod", "tier": "prod", "segments": ["exceptions"], "from": [], "to": [exc],
	}
}

# High in prod: extending an expiry is a new waiver.
test_extended_exception_is_high if {
	some r in exception.rating with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "prod", "tier": "prod", "segments": ["exceptions"],
		"from": [object.union(exc, {"expires": "2026-01-01"})], "to": [exc],
	}
	r.level == "high"
}

test_exception_for_dev_only_is_not_counted_in_prod if {
	{r.level | some r in exception.rating} == {"low"} with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "prod", "tier": "prod", "segments": ["exceptions"],
		"from": [], "to": [object.union(exc, {"environments": ["dev"]})],
	}
}
