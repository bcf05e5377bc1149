# METADATA
# title: Internal services do not call public ones
# description: >-
#   Calls flow inward: the edge (public) services call internal ones, never
#   the reverse. An internal service that calls an edge service goes through
#   the edge's authentication, rate limit and public timeouts meant for
#   internet traffic, creates a loop through the gateway, and couples the
#   core of the platform to its most frequently changed layer.
# custom:
#   id: GOV-DEP-002
#   severity: error
#   reads: connected
#   remediation: >-
#     Call the internal service that owns the data instead of the edge
#     service, or move the shared logic inward.
#   examples:
#     fail: |
#       services: {
#       	gateway: exposure: {public: true, hosts: ["shop.acme.io"]}
#       	orders: dependencies: gateway: timeout: "500ms"
#       }
#     pass: |
#       services: {
#       	gateway: {exposure: {public: true, hosts: ["shop.acme.io"]}, dependencies: orders: timeout: "1s"}
#       	orders: {}
#       }
package govctl.rules.dep_002

violation contains f if {
	some name, svc in input.services
	not svc.exposure.public
	some dep in object.keys(svc.dependencies)
	input.services[dep].exposure.public == true
	f := {
		"msg": sprintf("internal service calls the public service %s: calls must flow inward from the edge", [dep]),
		"service": name,
		"path": sprintf("dependencies.%s", [dep]),
	}
}
