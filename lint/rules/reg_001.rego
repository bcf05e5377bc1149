# METADATA
# title: Health-check interval shorter than the registry TTL
# description: >-
#   A registry entry lives for its TTL; the registry's health check is what
#   keeps it alive. When the registry checks an instance less often than the
#   entry lives, a healthy instance's entry expires between two checks, the
#   instance flaps out of discovery and callers see "no healthy upstream"
#   for the gap, typically during the next deploy when every instance
#   re-registers at once.
# custom:
#   id: GOV-REG-001
#   severity: error
#   reads: connected
#   remediation: >-
#     Lower platform.registry.healthCheck.interval below platform.registry.ttl
#     (the shop uses a 10s interval with a 45s TTL), or raise the TTL.
#   params:
#     maxIntervalToTTLRatio:
#       type: number
#       default: 1
#       looser: higher
#       minimum: 0
#       description: >-
#         The health-check interval must be below this fraction of the TTL;
#         1 means strictly shorter, 0.5 leaves room for one missed check.
#   examples:
#     fail: |
#       platform: registry: {ttl: "45s", healthCheck: interval: "60s"}
#     pass: |
#       platform: registry: {ttl: "45s", healthCheck: interval: "10s"}
package govctl.rules.reg_001

params := data.govctl.params["GOV-REG-001"]

# A Kubernetes registry has no TTL: endpoints follow readiness probes.
violation contains f if {
	registry := input.platform.registry
	registry.kind != "kubernetes"
	interval := time.parse_duration_ns(registry.healthCheck.interval)
	interval >= time.parse_duration_ns(registry.ttl) * params.maxIntervalToTTLRatio
	f := {
		"msg": sprintf("health-check interval %s is not shorter than %s", [registry.healthCheck.interval, limit(registry.ttl)]),
		"path": "platform.registry.healthCheck.interval",
	}
}

limit(ttl) := sprintf("the registry TTL %s", [ttl]) if {
	params.maxIntervalToTTLRatio == 1
} else := sprintf("%v × the registry TTL %s", [params.maxIntervalToTTLRatio, ttl])
