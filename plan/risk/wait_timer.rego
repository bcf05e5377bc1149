# METADATA
# title: The wait before a deploy cut
# description: >-
#   An environment's wait timer holds a deploy after approval, a window to
#   stop it. Cutting it (to 0s: none) removes that window.
# custom:
#   id: RISK-APR-003
package govctl.risk.wait_timer

import data.govctl.risk.lib

rating contains {"level": lib.by_tier[input.tier], "reason": sprintf("wait timer cut %s → %s %s: less time to stop a deploy after approval", [lib.show(from), lib.show(to), lib.where])} if {
	input.scope == "environment"
	input.segments == ["waitTimer"]
	from := object.get(input, "from", "")
	to := object.get(input, "to", "")
	lib.seconds(to) < lib.seconds(from)
}

rating contains {"level": "low", "reason": sprintf("wait timer raised %s → %s %s", [lib.show(from), lib.show(to), lib.where])} if {
	input.scope == "environment"
	input.segments == ["waitTimer"]
	from := object.get(input, "from", "")
	to := object.get(input, "to", "")
	lib.seconds(to) >= lib.seconds(from)
}
