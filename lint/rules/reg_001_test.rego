package govctl.rules.reg_001_test

import data.govctl.rules.reg_001

defaults := {"GOV-REG-001": {"maxIntervalToTTLRatio": 1}}

registry(interval, ttl) := {"platform": {"registry": {
	"kind": "consul",
	"ttl": ttl,
	"healthCheck": {"interval": interval},
}}}

test_interval_longer_than_ttl_fails if {
	reg_001.violation == {{
		"msg": "health-check interval 60s is not shorter than the registry TTL 45s",
		"path": "platform.registry.healthCheck.interval",
	}} with input as registry("60s", "45s")
		with data.govctl.params as defaults
}

test_interval_equal_to_ttl_fails_at_default if {
	count(reg_001.violation) == 1 with input as registry("45s", "45s")
		with data.govctl.params as defaults
}

test_interval_shorter_than_ttl_passes if {
	count(reg_001.violation) == 0 with input as registry("10s", "45s")
		with data.govctl.params as defaults
}

test_custom_ratio if {
	reg_001.violation == {{
		"msg": "health-check interval 30s is not shorter than 0.5 × the registry TTL 45s",
		"path": "platform.registry.healthCheck.interval",
	}} with input as registry("30s", "45s")
		with data.govctl.params as {"GOV-REG-001": {"maxIntervalToTTLRatio": 0.5}}
	count(reg_001.violation) == 0 with input as registry("20s", "45s")
		with data.govctl.params as {"GOV-REG-001": {"maxIntervalToTTLRatio": 0.5}}
}

test_kubernetes_registry_has_no_ttl if {
	count(reg_001.violation) == 0 with input as json.patch(registry("60s", "45s"), [{"op": "replace", "path": "/platform/registry/kind", "value": "kubernetes"}])
		with data.govctl.params as defaults
}
