# METADATA
# title: Dev only
# description: >-
#   A change that shows only in a dev-tier environment affects no user; a
#   rule rates it low so that a dev change is never unrated.
# custom:
#   id: RISK-DEV-001
package govctl.risk.dev_only

import data.govctl.risk.lib

rating contains {"level": "low", "reason": sprintf("%s %s: dev only", [subject, input.env])} if {
	input.tier == "dev"
	input.env != ""
	input.scope in {"service", "environment"}
}

subject := sprintf("%s %s in", [lib.owner, input.field]) if {
	input.scope == "service"
	input.field != ""
}

subject := sprintf("%s in", [input.service]) if {
	input.scope == "service"
	input.field == ""
}

subject := sprintf("%s of", [input.field]) if input.scope == "environment"
