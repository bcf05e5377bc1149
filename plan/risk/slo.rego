# METADATA
# title: A service's objectives lowered
# description: >-
#   slo.critical and the availability objective decide which rules hold a
#   service to a higher standard (breakers, replicas, rate limits) and how
#   the risk of its changes is rated. Lowering them relaxes all of that.
# custom:
#   id: RISK-SLO-001
package govctl.risk.slo

import data.govctl.risk.lib

lowered if {
	input.segments == ["slo", "critical"]
	input.from == true
	input.to != true
}

lowered if {
	input.segments == ["slo", "availability"]
	input.to < input.from
}

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf("%s %s lowered %s %s: the rules for critical services stop applying to it", [lib.owner, input.field, lib.change_text, lib.where])} if {
	input.scope == "service"
	lowered
}

rating contains {"level": "low", "reason": sprintf("%s %s %s %s", [lib.owner, input.field, lib.change_text, lib.where])} if {
	input.scope == "service"
	lib.is_service_field("slo")
	not lowered
}
