package govctl.rules.reg_005_test

import data.govctl.rules.reg_005

spec(kind, mtls) := {
	"platform": {"registry": {"kind": kind, "healthCheck": {"path": "/health", "deregisterAfter": "90s"}}},
	"environment": {"name": "prod", "mtls": mtls},
}

test_consul_under_strict_fails if {
	reg_005.violation == {{
		"msg": "consul health checks of /health come from outside the mesh in plaintext, which STRICT mTLS in prod refuses: every instance fails its check and is deregistered after 90s",
		"path": "platform.registry.kind",
	}} with input as spec("consul", "STRICT")
}

test_permissive_passes if {
	count(reg_005.violation) == 0 with input as spec("nacos", "PERMISSIVE")
}

test_kubernetes_registry_passes if {
	count(reg_005.violation) == 0 with input as spec("kubernetes", "STRICT")
}
