# METADATA
# title: Reviewers removed
# description: >-
#   The reviewers are who may approve a deploy; removing one narrows (or,
#   with the last, removes) the human gate.
# custom:
#   id: RISK-APR-002
package govctl.risk.reviewers

import data.govctl.risk.lib

removed := {r | some r in object.get(input, "from", []); not r in object.get(input, "to", [])}

rating contains {"level": lib.by_tier[input.tier], "reason": sprintf("reviewer(s) %s removed %s: fewer people may approve a deploy", [concat(", ", sort(removed)), lib.where])} if {
	input.scope == "environment"
	input.segments == ["reviewers"]
	count(removed) > 0
}

rating contains {"level": "low", "reason": sprintf("reviewers added %s", [lib.where])} if {
	input.scope == "environment"
	input.segments == ["reviewers"]
	count(removed) == 0
}
