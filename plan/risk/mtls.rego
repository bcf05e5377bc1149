# METADATA
# title: mTLS loosened
# description: >-
#   STRICT mTLS rejects plain-text traffic; PERMISSIVE accepts it and
#   DISABLE turns encryption and peer identity off, so AuthorizationPolicy
#   principals no longer hold.
# custom:
#   id: RISK-SEC-001
package govctl.risk.mtls

import data.govctl.risk.lib

strength := {"STRICT": 2, "PERMISSIVE": 1, "DISABLE": 0}

rating contains {"level": lib.by_tier[input.tier], "reason": sprintf("mTLS loosened %s %s: plain-text traffic is accepted and caller identities no longer hold", [lib.change_text, lib.where])} if {
	input.scope == "environment"
	input.segments == ["mtls"]
	strength[input.to] < strength[input.from]
}

rating contains {"level": "low", "reason": sprintf("mTLS tightened %s %s", [lib.change_text, lib.where])} if {
	input.scope == "environment"
	input.segments == ["mtls"]
	strength[input.to] > strength[input.from]
}
