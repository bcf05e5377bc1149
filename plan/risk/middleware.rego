# METADATA
# title: Middleware removed
# description: >-
#   The Kratos middleware chain is where recovery, tracing, logging,
#   metrics and auth happen. Removing auth lets unauthenticated requests in;
#   removing recovery lets one panic kill the process.
# custom:
#   id: RISK-MW-001
#   params:
#     essential:
#       type: array
#       default: [auth, recovery]
#       description: Middleware whose removal is high risk outside dev.
package govctl.risk.middleware

import data.govctl.risk.lib

params := data.govctl.params["RISK-MW-001"]

removed := {m | some m in object.get(input, "from", []); not m in object.get(input, "to", [])}

essential := removed & {m | some m in params.essential}

rating contains {"level": "high", "reason": sprintf("%s drops %s middleware %s", [input.service, concat(", ", sort(essential)), lib.where])} if {
	input.scope == "service"
	input.segments == ["middleware"]
	input.tier != "dev"
	count(essential) > 0
}

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf("%s middleware chain %s %s", [lib.owner, lib.change_text, lib.where])} if {
	input.scope == "service"
	input.segments == ["middleware"]
}
