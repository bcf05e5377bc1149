# METADATA
# title: A service made public, or a host added
# description: >-
#   Public services are routed from the internet through the ingress
#   gateway. Making a service public or adding a host opens a new way in.
# custom:
#   id: RISK-EXP-001
package govctl.risk.exposure

import data.govctl.risk.lib

level := "high" if input.tier != "dev"

level := "medium" if input.tier == "dev"

rating contains {"level": level, "reason": sprintf("%s is made public %s: the gateway routes internet traffic to it", [input.service, lib.where])} if {
	input.scope == "service"
	input.segments == ["exposure", "public"]
	input.to == true
}

added := {h | some h in object.get(input, "to", []); not h in object.get(input, "from", [])}

rating contains {"level": level, "reason": sprintf("host(s) %s added to %s %s: reachable from the internet", [concat(", ", sort(added)), input.service, lib.where])} if {
	input.scope == "service"
	input.segments == ["exposure", "hosts"]
	count(added) > 0
}

rating contains {"level": "medium", "reason": sprintf("%s exposure changed (%s) %s", [lib.owner, input.field, lib.where])} if {
	input.scope == "service"
	count(input.segments) >= 1
	input.segments[0] == "exposure"
}
