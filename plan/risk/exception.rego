# METADATA
# title: A lint exception added or extended
# description: >-
#   An exception waives a rule for a service until a date. A new one, or a
#   later expiry, stops the rule catching the service; in prod that is the
#   governance the rule exists for. An exception that does not cover the
#   environment rated is not counted there.
# custom:
#   id: RISK-EXC-001
package govctl.risk.exception

import data.govctl.risk.lib

covers(e) if count(object.get(e, "environments", [])) == 0

covers(e) if input.env in e.environments

before := object.get(input, "from", [])

after := object.get(input, "to", [])

# waived are the exceptions of the head that are new or expire later.
waived contains sprintf("%s until %s", [e.rule, e.expires]) if {
	input.scope == "service"
	input.segments == ["exceptions"]
	some e in after
	covers(e)
	not old_covering(e)
}

old_covering(e) if {
	some o in before
	o.rule == e.rule
	covers(o)
	o.expires >= e.expires
}

rating contains {"level": lib.by_tier[input.tier], "reason": sprintf("%s is exempted from %s %s: the rule stops checking it", [input.service, concat(", ", sort(waived)), lib.where])} if {
	count(waived) > 0
}

rating contains {"level": "low", "reason": sprintf("%s exceptions narrowed or removed %s", [lib.owner, lib.where])} if {
	input.scope == "service"
	input.segments == ["exceptions"]
	count(waived) == 0
}
