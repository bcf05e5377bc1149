# METADATA
# title: A dependency removed makes the callee reject the caller
# description: >-
#   The callee's AuthorizationPolicy allows exactly the services that
#   declare a dependency on it. Removing the dependency makes the callee
#   reject the caller's requests at once: if the caller still calls it
#   (an old pod, a code path the spec author forgot) those calls fail.
# custom:
#   id: RISK-DEP-001
package govctl.risk.dependency_removed

import data.govctl.risk.lib

rating contains {"level": lib.by_tier[input.tier], "reason": sprintf(
	"%s now rejects %s %s: %s no longer declares the dependency, so its calls are denied",
	[dep, input.service, lib.where, input.service],
)} if {
	input.scope == "service"
	input.action == "delete"
	count(input.segments) == 2
	input.segments[0] == "dependencies"
	dep := input.segments[1]
}
