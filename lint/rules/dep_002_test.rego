package govctl.rules.dep_002_test

import data.govctl.rules.dep_002

spec(orders_deps) := {"services": {
	"gateway": {"exposure": {"public": true, "hosts": ["shop.acme.io"]}, "dependencies": {"orders": {}}},
	"admin": {"exposure": {"public": true, "hosts": ["admin.acme.io"]}, "dependencies": {"gateway": {}}},
	"orders": {"exposure": {"public": false}, "dependencies": orders_deps},
}}

test_internal_calling_public_fails if {
	dep_002.violation == {{
		"msg": "internal service calls the public service gateway: calls must flow inward from the edge",
		"service": "orders",
		"path": "dependencies.gateway",
	}} with input as spec({"gateway": {"timeout": "500ms"}})
}

test_calls_from_the_edge_pass if {
	count(dep_002.violation) == 0 with input as spec({})
}
