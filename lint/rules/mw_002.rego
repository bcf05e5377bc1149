# METADATA
# title: Tracing runs before logging
# description: >-
#   The logging middleware writes the trace and span ids of the request into
#   every access log line, but only when the tracing middleware has already
#   started the span. With logging first, logs carry no trace_id and an
#   incident cannot be followed from a log line to its trace.
# custom:
#   id: GOV-MW-002
#   severity: warning
#   reads: connected
#   remediation: >-
#     Order the middleware list recovery → tracing → logging → metrics → auth.
#   examples:
#     fail: |
#       services: orders: middleware: ["recovery", "logging", "tracing"]
#     pass: |
#       services: orders: middleware: ["recovery", "tracing", "logging"]
package govctl.rules.mw_002

violation contains f if {
	some name, svc in input.services
	some tracing, "tracing" in svc.middleware
	some logging, "logging" in svc.middleware
	logging < tracing
	f := {
		"msg": sprintf("logging (position %d) runs before tracing (position %d): access logs carry no trace_id", [logging + 1, tracing + 1]),
		"service": name,
		"path": "middleware",
	}
}
