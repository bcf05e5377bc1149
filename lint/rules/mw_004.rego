# METADATA
# title: Public services authenticate
# description: >-
#   A service exposed through the ingress gateway is reachable from the
#   internet. Without the auth middleware every route it serves, including
#   internal admin and debug handlers registered on the same server, is open
#   to anonymous callers.
# custom:
#   id: GOV-MW-004
#   severity: error
#   reads: connected
#   remediation: >-
#     Add "auth" to the middleware of the public service, or set
#     exposure.public to false if it should not be reachable from outside.
#   examples:
#     fail: |
#       services: gateway: {exposure: {public: true, hosts: ["shop.acme.io"]}, middleware: ["recovery", "tracing", "logging", "metrics"]}
#     pass: |
#       services: gateway: {exposure: {public: true, hosts: ["shop.acme.io"]}, middleware: ["recovery", "tracing", "logging", "metrics", "auth"]}
package govctl.rules.mw_004

violation contains f if {
	some name, svc in input.services
	svc.exposure.public == true
	not "auth" in svc.middleware
	f := {
		"msg": sprintf("public service (hosts %v) has no auth middleware: it serves anonymous internet traffic", [object.get(svc.exposure, "hosts", [])]),
		"service": name,
		"path": "middleware",
	}
}
