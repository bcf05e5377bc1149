package govctl.rules.reg_002_test

import data.govctl.rules.reg_002

defaults := {"GOV-REG-002": {"maxHeartbeatToTTLRatio": 1}}

registry(kind, heartbeat, ttl) := {"platform": {"registry": {"kind": kind, "heartbeat": heartbeat, "ttl": ttl}}}

test_heartbeat_longer_than_ttl_fails if {
	reg_002.violation == {{
		"msg": "heartbeat 1m is not shorter than the registry TTL 45s: instances expire between two heartbeats",
		"path": "platform.registry.heartbeat",
	}} with input as registry("nacos", "1m", "45s")
		with data.govctl.params as defaults
}

test_heartbeat_equal_to_ttl_fails_at_default if {
	count(reg_002.violation) == 1 with input as registry("consul", "45s", "45s")
		with data.govctl.params as defaults
}

test_heartbeat_shorter_than_ttl_passes if {
	count(reg_002.violation) == 0 with input as registry("consul", "30s", "45s")
		with data.govctl.params as defaults
}

test_custom_ratio if {
	reg_002.violation == {{
		"msg": "heartbeat 30s is not shorter than 0.5 × the registry TTL 45s: instances expire between two heartbeats",
		"path": "platform.registry.heartbeat",
	}} with input as registry("etcd", "30s", "45s")
		with data.govctl.params as {"GOV-REG-002": {"maxHeartbeatToTTLRatio": 0.5}}
	count(reg_002.violation) == 0 with input as registry("etcd", "15s", "45s")
		with data.govctl.params as {"GOV-REG-002": {"maxHeartbeatToTTLRatio": 0.5}}
}

test_kubernetes_registry_has_no_heartbeat if {
	count(reg_002.violation) == 0 with input as registry("kubernetes", "1m", "45s")
		with data.govctl.params as defaults
}
