# METADATA
# title: Recovery is the first middleware
# description: >-
#   Kratos runs middleware in the listed order, and only middleware that
#   runs after recovery is protected by it. A panic in tracing, logging,
#   metrics or auth placed before recovery, or any panic when the chain has
#   no recovery at all, crashes the whole process instead of failing one
#   request, and every in-flight request on the instance dies with it.
# custom:
#   id: GOV-MW-001
#   severity: error
#   reads: connected
#   remediation: >-
#     Put "recovery" first in the service's middleware list, e.g.
#     ["recovery", "tracing", "logging", "metrics", "auth"].
#   examples:
#     fail: |
#       services: orders: middleware: ["tracing", "recovery", "logging"]
#     pass: |
#       services: orders: middleware: ["recovery", "tracing", "logging"]
package govctl.rules.mw_001

violation contains f if {
	some name, svc in input.services
	not "recovery" in svc.middleware
	f := {
		"msg": sprintf("middleware chain %v has no recovery: a panic in a handler crashes the process", [svc.middleware]),
		"service": name,
		"path": "middleware",
	}
}

violation contains f if {
	some name, svc in input.services
	"recovery" in svc.middleware
	svc.middleware[0] != "recovery"
	f := {
		"msg": sprintf("recovery is not the first middleware in %v: panics in %q and anything before recovery crash the process", [svc.middleware, svc.middleware[0]]),
		"service": name,
		"path": "middleware",
	}
}
