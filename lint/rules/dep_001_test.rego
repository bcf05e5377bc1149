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

test_a_cycle_beyond_16_calls_is_still_reported if {
	names := [sprintf("s%02d", [i]) | some i in numbers.range(0, 69)]
	ring := {"services": {name: deps([names[(i + 1) % 20]]) | some i, name in names}}
	dep_001.violation == {{
		"msg": "dependency cycle s00 → s01 → … → s00 (20 services call each other in cycles: s00, s01, s02, s03, s04, s05, s06, s07, s08, s09, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19)",
		"service": "s00",
		"path": "dependencies.s01",
	}} with input as ring
}
