# METADATA
# title: Labels and ownership only
# description: >-
#   The owner and other descriptive fields change labels and annotations,
#   not behaviour.
# custom:
#   id: RISK-LBL-001
package govctl.risk.labels

import data.govctl.risk.lib

rating contains {"level": "low", "reason": sprintf("%s %s %s %s: labels only", [lib.owner, input.field, lib.change_text, lib.where])} if {
	input.scope == "service"
	input.segments[0] in {"owner"}
}
