# METADATA
# title: No middleware twice in the chain
# description: >-
#   A middleware listed twice runs twice per request: metrics count every
#   request double, logging writes two access lines, auth validates the
#   token twice and rate limiting halves the effective limit. The
#   duplication usually comes from merging a service's list with a default
#   list by hand.
# custom:
#   id: GOV-MW-005
#   severity: warning
#   reads: connected
#   remediation: >-
#     Remove the repeated entry from the service's middleware list.
#   examples:
#     fail: |
#       services: orders: middleware: ["recovery", "tracing", "logging", "metrics", "metrics"]
#     pass: |
#       services: orders: middleware: ["recovery", "tracing", "logging", "metrics"]
package govctl.rules.mw_005

violation contains f if {
	some name, svc in input.services
	some middleware in svc.middleware
	n := count([i | some i, m in svc.middleware; m == middleware])
	n > 1
	f := {
		"msg": sprintf("middleware %q appears %d times in %v: it runs %d times per request", [middleware, n, svc.middleware, n]),
		"service": name,
		"path": "middleware",
	}
}
