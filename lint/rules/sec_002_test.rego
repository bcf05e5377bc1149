package govctl.rules.sec_002_test

import data.govctl.rules.sec_002

policy(spec) := {
	"target": "istio",
	"env": "prod",
	"service": "payments",
	"path": "istio/prod/payments.yaml",
	"id": {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy", "namespace": "shop-prod", "name": "payments"},
	"value": {
		"apiVersion": "security.istio.io/v1",
		"kind": "AuthorizationPolicy",
		"metadata": {"name": "payments", "namespace": "shop-prod"},
		"spec": spec,
	},
}

spec(objects) := {"environment": {"name": "prod", "tier": "prod"}, "objects": objects}

selector := {"matchLabels": {"app": "payments"}}

callers := {"from": [{"source": {"principals": ["cluster.local/ns/shop-prod/sa/orders"]}}]}

test_empty_rule_allows_all if {
	sec_002.violation == {{
		"msg": "AuthorizationPolicy shop-prod/payments allows every request: rule 1 has no from, to or when",
		"service": "payments",
		"path": "",
	}} with input as spec([policy({"selector": selector, "action": "ALLOW", "rules": [{}]})])
}

test_rule_with_empty_clauses_allows_all if {
	count(sec_002.violation) == 1 with input as spec([policy({"selector": selector, "rules": [callers, {"from": [], "to": []}]})])
}

test_policy_without_service_points_at_the_environment if {
	p := json.patch(policy({"rules": [{}]}), [{"op": "remove", "path": "/service"}])
	sec_002.violation == {{
		"msg": "AuthorizationPolicy shop-prod/payments allows every request: rule 1 has no from, to or when",
		"path": "environments.prod",
	}} with input as spec([p])
}

test_restricted_rules_pass if {
	count(sec_002.violation) == 0 with input as spec([policy({"selector": selector, "action": "ALLOW", "rules": [callers]})])
}

test_deny_and_no_rules_pass if {
	count(sec_002.violation) == 0 with input as spec([
		policy({"selector": selector, "action": "DENY", "rules": [{}]}),
		policy({"selector": selector}),
	])
}

test_other_objects_and_no_objects_pass if {
	count(sec_002.violation) == 0 with input as spec([])
	count(sec_002.violation) == 0 with input as spec([{"target": "nacos", "id": {"kind": "ConfigEntry", "name": "orders.yaml"}, "value": {}}])
}
