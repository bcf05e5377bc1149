# METADATA
# title: A service removed from an environment
# description: >-
#   Removing a service deletes its workloads, routes, mesh policies,
#   config entry and deploy job: one change, rated by the environment, with
#   the callers that still depend on it named.
# custom:
#   id: RISK-SVC-001
package govctl.risk.service_removed

import data.govctl.risk.lib

rating contains {"level": lib.by_tier[input.tier], "reason": sprintf(
	"%s is removed from %s: its workloads, routes and config are deleted%s",
	[input.service, input.env, callers],
)} if {
	input.scope == "service"
	input.action == "delete"
	count(input.segments) == 0
}

callers := "" if count(object.get(input, "callers", [])) == 0

callers := sprintf("; %s still call it", [concat(", ", input.callers)]) if count(object.get(input, "callers", [])) > 0
