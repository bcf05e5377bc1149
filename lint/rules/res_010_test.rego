package govctl.rules.res_010_test

import data.govctl.rules.res_010

spec(call) := {"services": {
	"orders": {
		"dependencies": {},
		"resilience": {"degradation": {"warnAt": 0.05, "degradeAt": 0.2, "fallbackTo": "orders-lite"}},
	},
	"orders-lite": {"dependencies": {"cache": {"timeout": "50ms"}, "users": {"timeout": "100ms"}}, "resilience": {}},
	"users": {"dependencies": {"orders": call}, "resilience": {}},
	"cache": {"dependencies": {}, "resilience": {}},
}}

test_fallback_depending_on_the_degraded_service_fails if {
	res_010.violation == {{
		"msg": "fallback orders-lite depends on orders, the service it replaces (orders-lite → users → orders): it fails together with it",
		"service": "orders",
		"path": "resilience.degradation.fallbackTo",
	}} with input as spec({"timeout": "100ms", "optional": false})
}

test_optional_dependency_passes if {
	count(res_010.violation) == 0 with input as spec({"timeout": "100ms", "optional": true})
}

test_independent_fallback_passes if {
	count(res_010.violation) == 0 with input as json.patch(spec({}), [{"op": "remove", "path": "/services/users/dependencies/orders"}])
}

test_the_shortest_chain_is_named if {
	spec := {"services": {
		"orders": {"dependencies": {}, "resilience": {"degradation": {"warnAt": 0.05, "degradeAt": 0.2, "fallbackTo": "lite"}}},
		"lite": {"dependencies": {"a": {}, "b": {}, "c": {}}},
		"a": {"dependencies": {"x": {}}},
		"b": {"dependencies": {"orders": {}}},
		"c": {"dependencies": {"orders": {}}},
		"x": {"dependencies": {"b": {}}},
	}}
	{f.msg | some f in res_010.violation} == {"fallback lite depends on orders, the service it replaces (lite → b → orders): it fails together with it"} with input as spec
}

test_a_long_chain_is_named_in_full if {
	names := [sprintf("s%02d", [i]) | some i in numbers.range(0, 19)]
	chain := {name: {"dependencies": {names[i + 1]: {}}} | some i, name in names; i < 19}
	spec := {"services": object.union(chain, {
		"s19": {"dependencies": {"orders": {}}},
		"orders": {"dependencies": {}, "resilience": {"degradation": {"warnAt": 0.05, "degradeAt": 0.2, "fallbackTo": "s00"}}},
	})}
	{f.msg | some f in res_010.violation} == {sprintf(
		"fallback s00 depends on orders, the service it replaces (%s → orders): it fails together with it",
		[concat(" → ", names)],
	)} with input as spec
}

# The search follows call chains of any depth up to 64 calls, in blocks of
# eight: these chains end in each block, and the last runs past the limit.
test_the_search_follows_up_to_64_calls if {
	every length in [5, 10, 18, 26, 34, 42, 50, 60, 70] {
		chain := {sprintf("n%02d", [i]): {sprintf("n%02d", [i + 1])} | some i in numbers.range(0, length - 1)}
		found := {x | some level in res_010.levels(chain, {"n00"}); some x in level}
		count(found) == min([length, 64]) + 1
	}
}
