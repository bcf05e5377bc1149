# METADATA
# title: policies.failOn loosened
# description: >-
#   failOn is the lowest severity that fails the pipeline. Raising it
#   (warning → error) lets every warning through on every environment.
#   Rated once, at the highest tier the platform has.
# custom:
#   id: RISK-POL-001
package govctl.risk.fail_on

import data.govctl.risk.lib

order := {"info": 0, "warning": 1, "error": 2}

rating contains {"level": lib.by_tier[input.tier], "reason": sprintf("lint fails only on %s now (was %s): findings below it no longer block a merge, prod included", [input.to, from])} if {
	input.scope == "policies"
	input.segments == ["failOn"]
	from := object.get(input, "from", "error")
	order[input.to] > order[from]
}

rating contains {"level": "low", "reason": sprintf("lint fails on %s now (was %s): stricter", [input.to, lib.show(object.get(input, "from", "error"))])} if {
	input.scope == "policies"
	input.segments == ["failOn"]
	order[input.to] <= order[object.get(input, "from", "error")]
}
