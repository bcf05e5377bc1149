# METADATA
# title: A service's deadline or degradation ladder changed
# description: >-
#   The server timeout bounds every request; the degradation ladder decides
#   when the service sheds work and falls back. Both change what callers
#   see under load.
# custom:
#   id: RISK-TMO-001
package govctl.risk.timeouts

import data.govctl.risk.lib

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf("%s %s %s %s", [lib.owner, input.field, text, lib.where])} if {
	input.scope == "service"
	count(input.segments) >= 1
	input.segments[0] in {"timeout", "resilience"}
	not elsewhere
	text := describe
}

# Rate limits and breakers have rules of their own.
elsewhere if input.segments[1] in {"rateLimit", "circuitBreaker"}

describe := lib.change_text if input.action == "update"

describe := sprintf("set to %s", [lib.show(input.to)]) if input.action == "create"

describe := "removed" if input.action == "delete"
