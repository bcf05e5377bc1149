# METADATA
# title: Fewer approvals before a deploy
# description: >-
#   Approvals are the human gate of an environment: fewer of them is less
#   review before a change reaches users.
# custom:
#   id: RISK-APR-001
package govctl.risk.approvals

import data.govctl.risk.lib

rating contains {"level": lib.by_tier[input.tier], "reason": sprintf("approvals lowered %s %s: fewer people review a deploy", [lib.change_text, lib.where])} if {
	input.scope == "environment"
	input.segments == ["approvals"]
	input.to < input.from
}

rating contains {"level": "low", "reason": sprintf("approvals raised %s %s", [lib.change_text, lib.where])} if {
	input.scope == "environment"
	input.segments == ["approvals"]
	input.to > input.from
}
