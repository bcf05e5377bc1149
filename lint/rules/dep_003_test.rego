package govctl.rules.dep_003_test

import data.govctl.rules.dep_003

spec(call, inventory_critical) := {"services": {
	"orders": {"slo": {"critical": true}, "dependencies": {"inventory": call}},
	"inventory": {"slo": {"critical": inventory_critical}, "dependencies": {}},
	"reports": {"slo": {"critical": false}, "dependencies": {"inventory": {"optional": false}}},
}}

test_critical_hard_dependency_on_non_critical_fails if {
	dep_003.violation == {{
		"msg": "critical service hard-depends on inventory, which is not critical: its availability is capped by a service run to a lower standard",
		"service": "orders",
		"path": "dependencies.inventory",
	}} with input as spec({"timeout": "300ms", "optional": false}, false)
}

test_optional_dependency_passes if {
	count(dep_003.violation) == 0 with input as spec({"timeout": "300ms", "optional": true}, false)
}

test_critical_dependency_passes if {
	count(dep_003.violation) == 0 with input as spec({"timeout": "300ms", "optional": false}, true)
}
