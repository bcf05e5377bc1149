# METADATA
# title: A service added
# description: >-
#   A new service creates objects and touches nothing that runs: low,
#   unless the gateway exposes it to the internet.
# custom:
#   id: RISK-SVC-002
package govctl.risk.service_added

import data.govctl.risk.lib

rating contains {"level": "low", "reason": sprintf("new service %s %s", [input.service, lib.where])} if {
	added
	not lib.public
}

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf("new public service %s %s: the gateway routes internet traffic to it", [input.service, lib.where])} if {
	added
	lib.public
}

added if {
	input.scope == "service"
	input.action == "create"
	count(input.segments) == 0
}
