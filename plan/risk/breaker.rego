# METADATA
# title: A circuit breaker or outlier detection loosened on a critical service
# description: >-
#   The breaker (rendered as Istio outlier detection) stops calls to a
#   failing instance. A higher error threshold, more requests before it
#   judges, fewer instances it may eject, or no breaker at all let a
#   failure last longer; on a critical service that is an outage budget.
# custom:
#   id: RISK-CB-001
package govctl.risk.breaker

import data.govctl.risk.lib

in_breaker if {
	input.scope == "service"
	count(input.segments) >= 2
	input.segments[0] == "resilience"
	input.segments[1] == "circuitBreaker"
}

# Which way each field loosens the breaker.
looser := {"errorThreshold": "higher", "minRequests": "higher", "interval": "higher", "maxEjectionPercent": "lower", "timeout": "lower"}

loosened if {
	in_breaker
	input.action == "delete"
	count(input.segments) <= 3
}

loosened if {
	in_breaker
	input.action == "update"
	count(input.segments) == 3
	dir := looser[input.segments[2]]
	moved(dir)
}

value(v) := lib.seconds(v) if is_string(v)

value(v) := v if is_number(v)

moved("higher") if value(input.to) > value(input.from)

moved("lower") if value(input.to) < value(input.from)

what := sprintf("%s %s", [input.segments[2], lib.change_text]) if count(input.segments) == 3

what := "removed" if count(input.segments) == 2

rating contains {"level": "high", "reason": sprintf("%s circuit breaker loosened (%s) %s: it is critical, and a failing instance keeps receiving traffic longer", [lib.owner, what, lib.where])} if {
	loosened
	lib.critical
	input.tier != "dev"
}

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf("%s circuit breaker %s %s", [lib.owner, what_any, lib.where])} if {
	in_breaker
	what_any := object.get({"update": what, "create": "added", "delete": "removed"}, input.action, "changed")
}
