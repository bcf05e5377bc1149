package govctl.rules.res_005_test

import data.govctl.rules.res_005

defaults := {"GOV-RES-005": {"maxAmplification": 10}}

call(attempts) := {"timeout": "1s", "retries": {"attempts": attempts, "perTryTimeout": "100ms"}}

# gateway → orders → payments → users, with the given attempts per call.
chain(a, b, c) := {"services": {
	"gateway": {"dependencies": {"orders": call(a), "inventory": {"timeout": "1s"}}},
	"orders": {"dependencies": {"payments": call(b)}},
	"payments": {"dependencies": {"users": call(c)}},
	"users": {"dependencies": {}},
	"inventory": {"dependencies": {}},
}}

test_amplifying_path_fails_once if {
	res_005.violation == {{
		"msg": "retry amplification along gateway → orders → payments → users is 12 (2 × 3 × 2 tries): one request at gateway can reach users 12 times, above the limit 10",
		"service": "gateway",
		"path": "dependencies.orders.retries",
	}} with input as chain(1, 2, 1)
		with data.govctl.params as defaults
}

test_shortest_offending_sub_path_is_reported if {
	res_005.violation == {{
		"msg": "retry amplification along orders → payments → users is 16 (4 × 4 tries): one request at orders can reach users 16 times, above the limit 10",
		"service": "orders",
		"path": "dependencies.payments.retries",
	}} with input as chain(1, 3, 3)
		with data.govctl.params as defaults
}

test_amplification_at_the_limit_passes if {
	count(res_005.violation) == 0 with input as chain(4, 1, 0)
		with data.govctl.params as defaults
}

test_calls_without_retries_do_not_amplify if {
	count(res_005.violation) == 2 with input as chain(4, 9, 1)
		with data.govctl.params as defaults
	spec := json.patch(chain(4, 9, 1), [{"op": "remove", "path": "/services/orders/dependencies/payments/retries"}])
	count(res_005.violation) == 0 with input as spec
		with data.govctl.params as defaults
}

test_cycles_terminate if {
	spec := json.patch(chain(2, 2, 2), [{"op": "add", "path": "/services/users/dependencies/gateway", "value": call(0)}])
	count(res_005.violation) == 1 with input as spec
		with data.govctl.params as defaults
}

test_custom_limit if {
	count(res_005.violation) == 0 with input as chain(1, 2, 1)
		with data.govctl.params as {"GOV-RES-005": {"maxAmplification": 12}}
	count(res_005.violation) == 2 with input as chain(1, 2, 1)
		with data.govctl.params as {"GOV-RES-005": {"maxAmplification": 4}}
}

test_single_call_can_exceed_the_limit if {
	res_005.violation == {{
		"msg": "retry amplification along orders → payments is 4 (4 tries): one request at orders can reach payments 4 times, above the limit 3",
		"service": "orders",
		"path": "dependencies.payments.retries",
	}} with input as {"services": {"orders": {"dependencies": {"payments": call(3)}}, "payments": {"dependencies": {}}}}
		with data.govctl.params as {"GOV-RES-005": {"maxAmplification": 3}}
}

test_calls_without_retries_are_shown_in_the_path if {
	direct := json.patch(chain(3, 0, 3), [{"op": "remove", "path": "/services/orders/dependencies/payments/retries"}])
	{f.msg | some f in res_005.violation} == {"retry amplification along gateway → orders → payments → users is 16 (4 × 4 tries): one request at gateway can reach users 16 times, above the limit 10"} with input as direct
		with data.govctl.params as defaults
	longer := json.patch(direct, [
		{"op": "add", "path": "/services/orders/dependencies", "value": {"cart": {"timeout": "1s"}}},
		{"op": "add", "path": "/services/cart", "value": {"dependencies": {"payments": {"timeout": "1s"}}}},
	])
	{f.msg | some f in res_005.violation} == {"retry amplification along gateway → orders → … → payments → users is 16 (4 × 4 tries): one request at gateway can reach users 16 times, above the limit 10"} with input as longer
		with data.govctl.params as defaults
}

test_each_end_is_reported_with_its_most_amplifying_path if {
	spec := {"services": {
		"a": {"dependencies": {"b": call(3), "c": call(2)}},
		"b": {"dependencies": {"d": call(3), "e": call(3)}},
		"c": {"dependencies": {"d": call(3)}},
		"d": {"dependencies": {}},
		"e": {"dependencies": {}},
	}}
	{f.msg | some f in res_005.violation} == {
		"retry amplification along a → b → d is 16 (4 × 4 tries): one request at a can reach d 16 times, above the limit 10",
		"retry amplification along a → b → e is 16 (4 × 4 tries): one request at a can reach e 16 times, above the limit 10",
	} with input as spec
		with data.govctl.params as defaults
}

# The search follows call chains of any depth up to 64 calls, in blocks of
# eight: these chains end in each block, and the last runs past the limit.
test_the_search_follows_up_to_64_calls if {
	every length in [5, 10, 18, 26, 34, 42, 50, 60, 70] {
		chain := {sprintf("n%02d", [i]): {sprintf("n%02d", [i + 1])} | some i in numbers.range(0, length - 1)}
		found := {x | some level in res_005.levels(chain, {"n00"}); some x in level}
		count(found) == min([length, 64]) + 1
	}
}
