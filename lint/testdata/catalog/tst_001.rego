# METADATA
# title: Enough replicas
# description: A service with fewer replicas than minReplicas has no headroom for a rolling update.
# custom:
#   id: GOV-TST-001
#   severity: error
#   reads: connected
#   remediation: Raise replicas to at least minReplicas.
#   params:
#     minReplicas:
#       type: integer
#       default: 2
#       minimum: 1
#       maximum: 100
#       description: The fewest replicas a service may run.
#   examples:
#     fail: |
#       services: a: replicas: 1
#     pass: |
#       services: a: replicas: 3
package govctl.rules.tst_001

params := data.govctl.params["GOV-TST-001"]

violation contains f if {
	some name, svc in input.services
	svc.replicas < params.minReplicas
	f := {
		"msg": sprintf("%d replicas, want at least %d", [svc.replicas, params.minReplicas]),
		"service": name,
		"path": "replicas",
	}
}
