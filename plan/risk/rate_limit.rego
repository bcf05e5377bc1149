# METADATA
# title: A rate limit cut on a public or critical service
# description: >-
#   A rate limit cut by half or more on a service the internet reaches or
#   a critical one turns today's peak traffic into 429s.
# custom:
#   id: RISK-RTL-001
#   params:
#     cut:
#       type: number
#       default: 0.5
#       description: A cut of this share or more is high on a public or critical service.
package govctl.risk.rate_limit

import data.govctl.risk.lib

params := data.govctl.params["RISK-RTL-001"]

in_rate_limit if {
	input.scope == "service"
	count(input.segments) >= 2
	input.segments[0] == "resilience"
	input.segments[1] == "rateLimit"
}

cut := (input.from - input.to) / input.from if {
	in_rate_limit
	input.segments[2] in {"rps", "burst"}
	is_number(input.from)
	is_number(input.to)
	input.from > 0
}

kind := "public" if lib.public

kind := "critical" if {
	not lib.public
	lib.critical
}

rating contains {"level": "high", "reason": sprintf("%s rate limit cut %d%% (%s %s) %s: it is %s, so today's peak becomes 429s", [lib.owner, round(cut * 100), lib.change_text, input.segments[2], lib.where, kind])} if {
	input.tier != "dev"
	cut >= params.cut
	kind
}

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf("%s rate limit %s %s", [lib.owner, text, lib.where])} if {
	in_rate_limit
	text := describe
}

describe := sprintf("%s %s", [concat(".", array.slice(input.segments, 2, count(input.segments))), lib.change_text]) if input.action == "update"

describe := "added" if input.action == "create"

describe := "removed" if input.action == "delete"
