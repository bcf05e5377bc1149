package govctl.rules.dep_001_test

import data.govctl.rules.dep_001

deps(names) := {"dependencies": {n: {"timeout": "100ms"} | some n in names}}

test_cycle_is_reported_once_with_its_path if {
	dep_001.violation == {{
		"msg": "dependency cycle orders → payments → users → orders",
		"service": "orders",
		"path": "dependencies.payments",
	}} with input as {"services": {
		"gateway": deps(["orders"]),
		"orders": deps(["payments"]),
		"payments": deps(["users"]),
		"users": deps(["orders"]),
	}}
}

test_a_cycle_group_is_reported_once_with_its_shortest_cycle if {
	dep_001.violation == {{
		"msg": "dependency cycle a → b → a (4 services call each other in cycles: a, b, c, d)",
		"service": "a",
		"path": "dependencies.b",
	}} with input as {"services": {
		"a": deps(["c", "b"]),
		"b": deps(["a"]),
		"c": deps(["d", "a"]),
		"d": deps(["b"]),
		"e": deps(["a"]),
	}}
}

test_shortest_cycle_prefers_fewer_calls if {
	dep_001.violation == {{
		"msg": "dependency cycle a → d → a (4 services call each other in cycles: a, b, c, d)",
		"service": "a",
		"path": "dependencies.d",
	}} with input as {"services": {
		"a": deps(["b", "d"]),
		"b": deps(["c"]),
		"c": deps(["a"]),
		"d": deps(["a"]),
	}}
}

test_separate_cycles_are_reported_separately if {
	{f.msg | some f in dep_001.violation} == {
		"dependency cycle a → b → a",
		"dependency cycle c → d → e → c",
	} with input as {"services": {
		"a": deps(["b", "c"]),
		"b": deps(["a"]),
		"c": deps(["d"]),
		"d": deps(["e"]),
		"e": deps(["c"]),
	}}
}

test_self_dependency_is_a_cycle if {
	dep_001.violation == {{"msg": "dependency cycle a → a", "service": "a", "path": "dependencies.a"}} with input as {"services": {"a": deps(["a"])}}
}

test_diamond_is_not_a_cycle if {
	count(dep_001.violation) == 0 with input as {"services": {
		"gateway": deps(["orders", "users"]),
		"orders": deps(["users"]),
		"users": deps([]),
	}}
}

test_a_long_cycle_is_named_in_full if {
	names := [sprintf("s%02d", [i]) | some i in numbers.range(0, 19)]
	ring := {"services": {name: deps([names[(i + 1) % 20]]) | some i, name in names}}
	dep_001.violation == {{
		"msg": sprintf("dependency cycle %s → s00", [concat(" → ", names)]),
		"service": "s00",
		"path": "dependencies.s01",
	}} with input as ring
}

# A shortest cycle longer than the 64 calls the search follows is named by
# its start alone; a group whose calls do not close a cycle within the search
# stands in for one here, since a real one takes 66 services.
test_a_cycle_beyond_the_search_is_named_by_its_start if {
	dep_001.cycle_of({"a", "b"}, "a") == ["a", "…", "a"] with dep_001.calls as {"a": [], "b": []}
	dep_001.first_call(["a", "…", "a"]) == "dependencies"
}

# The search follows call chains of any depth up to 64 calls, in blocks of
# eight: these chains end in each block, and the last runs past the limit.
test_the_search_follows_up_to_64_calls if {
	every length in [5, 10, 18, 26, 34, 42, 50, 60, 70] {
		chain := {sprintf("n%02d", [i]): {sprintf("n%02d", [i + 1])} | some i in numbers.range(0, length - 1)}
		found := {x | some level in dep_001.levels(chain, {"n00"}); some x in level}
		count(found) == min([length, 64]) + 1
	}
}
