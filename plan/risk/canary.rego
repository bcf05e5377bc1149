# METADATA
# title: A canary loosened
# description: >-
#   The canary is prod's safety net: the share of traffic a new version
#   gets before the first gate, the steps, and the error rate that rolls it
#   back. A higher threshold, a larger first step, fewer steps or no canary
#   let a bad version reach more users. Only where the environment has a
#   canary.
# custom:
#   id: RISK-CAN-001
package govctl.risk.canary

import data.govctl.risk.lib

env_field(names) if {
	input.scope == "environment"
	array.slice(input.segments, 0, count(names)) == names
	count(input.segments) == count(names)
}

loosened := sprintf("rollback threshold raised %s %s: a worse canary passes the gate", [lib.change_text, lib.where]) if {
	input.environment.before.canary
	env_field(["canary", "maxErrorRate"])
	input.to > input.from
}

loosened := sprintf("first canary step raised %d%% → %d%% %s: more traffic reaches the new version before the first gate", [input.from[0], input.to[0], lib.where]) if {
	input.environment.before.canary
	env_field(["canary", "steps"])
	input.to[0] > input.from[0]
}

loosened := sprintf("canary steps cut %s → %s %s: fewer gates between the first step and all traffic", [lib.show(input.from), lib.show(input.to), lib.where]) if {
	input.environment.before.canary
	env_field(["canary", "steps"])
	input.to[0] <= input.from[0]
	count(input.to) < count(input.from)
}

loosened := sprintf("canary removed %s: a new version takes all traffic at once", [lib.where]) if {
	input.environment.before.canary
	env_field(["canary"])
	input.action == "delete"
}

rating contains {"level": lib.by_tier[input.tier], "reason": loosened}

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf("canary %s %s", [concat(".", array.slice(input.segments, 1, count(input.segments))), lib.where])} if {
	input.scope == "environment"
	count(input.segments) > 1
	input.segments[0] == "canary"
	lib.has_canary
	not loosened
}
