# METADATA
# title: A sensitive value written in the spec
# description: >-
#   A value the secret rule treats as sensitive (GOV-SEC-003: a config key
#   named like a password or token, or one the service marks sensitive)
#   that is added or changed as a literal is a secret committed to git:
#   rotate it and reference a secret store instead.
# custom:
#   id: RISK-SEC-002
package govctl.risk.sensitive

import data.govctl.risk.lib

rating contains {"level": "high", "reason": sprintf("%s: a sensitive value (%s) is written in the spec %s (GOV-SEC-003): it is in git history now", [input.service, input.field, lib.where])} if {
	input.sensitive
	input.literal
}

rating contains {"level": "medium", "reason": sprintf("%s: sensitive value %s removed %s", [input.service, input.field, lib.where])} if {
	input.sensitive
	not input.literal
}
