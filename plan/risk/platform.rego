# METADATA
# title: A platform setting changed
# description: >-
#   The platform block (registry, config centre, telemetry, mesh) applies
#   to every service in every environment at once.
# custom:
#   id: RISK-PLT-001
package govctl.risk.platform

rating contains {"level": "medium", "reason": sprintf("platform.%s changed: every service in every environment sees it", [input.field])} if {
	input.scope == "platform"
	input.field != ""
	not input.segments[0] in {"github"}
}

rating contains {"level": "low", "reason": sprintf("platform.%s changed: delivery settings", [input.field])} if {
	input.scope == "platform"
	input.segments[0] == "github"
}
