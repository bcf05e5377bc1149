# METADATA
# title: Fewer replicas in prod
# description: >-
#   Replicas are the service's redundancy: below two, a node drain or a
#   crash takes the service down; a cut of half or more halves its
#   capacity at once.
# custom:
#   id: RISK-REP-001
#   params:
#     minReplicas:
#       type: integer
#       default: 2
#       description: Fewer replicas than this in prod is high risk.
#     cut:
#       type: number
#       default: 0.5
#       description: A cut of this share of the replicas or more in prod is high risk.
package govctl.risk.replicas

import data.govctl.risk.lib

params := data.govctl.params["RISK-REP-001"]

lowered if {
	input.scope == "service"
	input.segments == ["replicas"]
	input.action == "update"
	input.to < input.from
}

rating contains {"level": "high", "reason": sprintf("%s runs %s replica(s) %s (was %s): a node drain or one crash takes it down", [input.service, lib.show(input.to), lib.where, lib.show(input.from)])} if {
	lowered
	input.tier == "prod"
	input.to < params.minReplicas
}

rating contains {"level": "high", "reason": sprintf("%s replicas cut %s %s: it loses %d%% of its capacity at once", [lib.owner, lib.change_text, lib.where, round(((input.from - input.to) * 100) / input.from)])} if {
	lowered
	input.tier == "prod"
	input.to >= params.minReplicas
	(input.from - input.to) / input.from >= params.cut
}

rating contains {"level": "medium", "reason": sprintf("%s replicas lowered %s %s", [lib.owner, lib.change_text, lib.where])} if {
	lowered
	input.tier != "dev"
}

rating contains {"level": "low", "reason": sprintf("%s replicas %s %s", [lib.owner, lib.change_text, lib.where])} if {
	input.scope == "service"
	input.segments == ["replicas"]
	not lowered
}
