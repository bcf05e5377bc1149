# METADATA
# title: A dependency added lets a new caller in
# description: >-
#   The callee's AuthorizationPolicy starts allowing the caller, and the
#   caller's Sidecar opens egress to it: a new path through the mesh.
# custom:
#   id: RISK-DEP-002
package govctl.risk.dependency_added

import data.govctl.risk.lib

rating contains {"level": lib.outside_dev[input.tier], "reason": sprintf(
	"%s may now call %s %s: %s accepts a new caller",
	[input.service, dep, lib.where, dep],
)} if {
	input.scope == "service"
	input.action == "create"
	count(input.segments) == 2
	input.segments[0] == "dependencies"
	dep := input.segments[1]
}
