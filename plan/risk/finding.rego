# METADATA
# title: A new lint finding
# description: >-
#   A finding the change introduces (in the head and not in the base) is
#   part of the plan: an error is what lint would fail on.
# custom:
#   id: RISK-FND-001
package govctl.risk.finding

level := {"error": "high", "warning": "medium", "info": "low"}

rating contains {"level": level[input.finding.severity], "reason": sprintf("new %s %s%s: %s", [input.finding.severity, input.finding.rule, on, input.finding.message])} if {
	input.scope == "finding"
	input.finding.new
}

on := sprintf(" on %s", [input.service]) if input.service != ""

on := "" if input.service == ""
