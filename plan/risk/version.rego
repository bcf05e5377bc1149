# METADATA
# title: A version bump is a deploy
# description: >-
#   A new image version is the everyday change: a deploy, medium in prod
#   (through its canary when the environment has one) and low elsewhere.
#   It is never high by itself; what the new version does is for the code
#   review.
# custom:
#   id: RISK-VER-001
package govctl.risk.version

import data.govctl.risk.lib

rating contains {"level": level, "reason": sprintf("deploys %s %s → %s to %s%s", [input.service, lib.show(input.from), lib.show(input.to), input.env, how])} if {
	input.scope == "service"
	input.segments == ["version"]
	input.action == "update"
	level := {"dev": "low", "staging": "low", "prod": "medium"}[input.tier]
}

how := " through its canary" if lib.has_canary

how := "" if not lib.has_canary
