# METADATA
# title: A call's timeout or retries changed
# description: >-
#   The client timeout and retry policy of a call decide how long a caller
#   waits and how much load a slow callee receives (retries multiply it).
# custom:
#   id: RISK-DEP-003
package govctl.risk.dependency_tuned

import data.govctl.risk.lib

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf(
	"%s → %s %s %s",
	[input.service, input.segments[1], concat(".", [sprintf("%v", [s]) | some s in array.slice(input.segments, 2, count(input.segments))]), text],
)} if {
	input.scope == "service"
	count(input.segments) > 2
	input.segments[0] == "dependencies"
	text := change_text
}

change_text := sprintf("%s %s", [lib.change_text, lib.where]) if input.action == "update"

change_text := sprintf("set to %s %s", [lib.show(input.to), lib.where]) if input.action == "create"

change_text := sprintf("removed (was %s) %s", [lib.show(input.from), lib.where]) if input.action == "delete"
