# METADATA
# title: Any other spec change
# description: >-
#   Every spec change is rated, so that none reads as "no risk rule rated
#   this change": a field no other rule knows is low, named in plain words.
# custom:
#   id: RISK-ANY-001
package govctl.risk.other

import data.govctl.risk.lib

subject := input.service if input.scope == "service"

subject := sprintf("environment %s", [input.env]) if input.scope == "environment"

subject := input.scope if not input.scope in {"service", "environment"}

what := sprintf("%s %s", [input.field, lib.change_text]) if {
	input.action == "update"
	input.field != ""
}

what := sprintf("%s added", [input.field]) if {
	input.action == "create"
	input.field != ""
}

what := sprintf("%s removed", [input.field]) if {
	input.action == "delete"
	input.field != ""
}

rating contains {"level": "low", "reason": sprintf("%s: %s %s", [subject, what, lib.where])} if {
	input.scope in {"service", "environment", "platform", "policies"}
	what
}
