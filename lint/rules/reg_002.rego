# METADATA
# title: Heartbeat shorter than the registry TTL
# description: >-
#   An instance renews its registration with a heartbeat; the registry drops
#   the entry when no heartbeat arrives within the TTL. A heartbeat that is
#   not shorter than the TTL lets healthy instances expire between two
#   renewals, so they are deregistered and re-registered in a loop and
#   traffic to them fails while they are gone.
# custom:
#   id: GOV-REG-002
#   severity: error
#   reads: connected
#   remediation: >-
#     Set platform.registry.heartbeat below platform.registry.ttl, e.g.
#     heartbeat "30s" with ttl "45s", or raise the TTL.
#   params:
#     maxHeartbeatToTTLRatio:
#       type: number
#       default: 1
#       looser: higher
#       minimum: 0
#       description: >-
#         The heartbeat must be below this fraction of the TTL; 1 means
#         strictly shorter, 0.5 tolerates one lost heartbeat.
#   examples:
#     fail: |
#       platform: registry: {heartbeat: "60s", ttl: "45s"}
#     pass: |
#       platform: registry: {heartbeat: "30s", ttl: "45s"}
package govctl.rules.reg_002

params := data.govctl.params["GOV-REG-002"]

# A Kubernetes registry has no TTL and no heartbeat.
violation contains f if {
	registry := input.platform.registry
	registry.kind != "kubernetes"
	heartbeat := time.parse_duration_ns(registry.heartbeat)
	heartbeat >= time.parse_duration_ns(registry.ttl) * params.maxHeartbeatToTTLRatio
	f := {
		"msg": sprintf("heartbeat %s is not shorter than %s: instances expire between two heartbeats", [registry.heartbeat, limit(registry.ttl)]),
		"path": "platform.registry.heartbeat",
	}
}

limit(ttl) := sprintf("the registry TTL %s", [ttl]) if {
	params.maxHeartbeatToTTLRatio == 1
} else := sprintf("%v × the registry TTL %s", [params.maxHeartbeatToTTLRatio, ttl])
