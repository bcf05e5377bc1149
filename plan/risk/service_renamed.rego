# METADATA
# title: A service renamed
# description: >-
#   A service removed and one added with the same content is a rename: its
#   workloads are created under the new name and the old ones deleted, so
#   in prod the switch is a deploy. Callers whose dependency follows the
#   rename are part of it.
# custom:
#   id: RISK-SVC-003
package govctl.risk.service_renamed

import data.govctl.risk.lib

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf(
	"%s is renamed %s %s: workloads are created under the new name and the old ones deleted",
	[input.from, input.to, lib.where],
)} if {
	input.scope == "service"
	input.action == "rename"
	count(input.segments) == 0
}

rating contains {"level": "low", "reason": sprintf("%s follows the rename of %s to %s %s", [input.service, input.from, input.to, lib.where])} if {
	input.scope == "service"
	input.action == "rename"
	count(input.segments) == 2
	input.segments[0] == "dependencies"
}
