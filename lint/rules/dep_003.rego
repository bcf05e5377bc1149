# METADATA
# title: Critical services do not hard-depend on non-critical ones
# description: >-
#   A service's availability is at most that of its hard dependencies. When
#   a critical service fails whenever a non-critical one does, the
#   non-critical service is critical in fact but is run, paged and released
#   with less care, and the critical service's SLO is broken by a team that
#   does not know it holds it.
# custom:
#   id: GOV-DEP-003
#   severity: warning
#   reads: connected
#   remediation: >-
#     Make the dependency optional (degrade around it with a fallback or
#     cached data), or mark the dependency critical (slo.critical: true) and
#     give it an SLO to match.
#   examples:
#     fail: |
#       services: {
#       	orders: {slo: critical: true, dependencies: inventory: timeout: "300ms"}
#       	inventory: slo: critical: false
#       }
#     pass: |
#       services: {
#       	orders: {slo: critical: true, dependencies: inventory: {timeout: "300ms", optional: true}}
#       	inventory: slo: critical: false
#       }
package govctl.rules.dep_003

violation contains f if {
	some name, svc in input.services
	svc.slo.critical == true
	some dep, call in svc.dependencies
	not call.optional
	callee := input.services[dep]
	not callee.slo.critical
	f := {
		"msg": sprintf("critical service hard-depends on %s, which is not critical: its availability is capped by a service run to a lower standard", [dep]),
		"service": name,
		"path": sprintf("dependencies.%s", [dep]),
	}
}
