# METADATA
# title: An environment added or removed
# description: >-
#   Removing an environment deletes every service's objects there and its
#   deploy job; adding one creates them.
# custom:
#   id: RISK-ENV-001
package govctl.risk.environment

import data.govctl.risk.lib

rating contains {"level": lib.by_tier[input.tier], "reason": sprintf("environment %s is removed: every service's objects there are deleted", [input.env])} if {
	input.scope == "environment"
	input.action == "delete"
	count(input.segments) == 0
}

rating contains {"level": "low", "reason": sprintf("new environment %s", [input.env])} if {
	input.scope == "environment"
	input.action == "create"
	count(input.segments) == 0
}
