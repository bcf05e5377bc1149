# METADATA
# title: Every service has an owning team
# description: >-
#   The owner is who gets paged, who approves exceptions and who is asked
#   when a dependency changes. An owner that is a person leaves with that
#   person, and a free-form one ("backend", "tbd") matches no on-call
#   rotation, so alerts for the service go to nobody.
# custom:
#   id: GOV-OBS-003
#   severity: error
#   reads: connected
#   remediation: >-
#     Set owner to the team's handle as the pattern expects, e.g.
#     "team-orders".
#   params:
#     pattern:
#       type: string
#       format: regex
#       default: ^team-[a-z0-9-]+$
#       description: The form of an owner.
#   examples:
#     fail: |
#       services: orders: owner: "alice"
#     pass: |
#       services: orders: owner: "team-orders"
package govctl.rules.obs_003

params := data.govctl.params["GOV-OBS-003"]

violation contains f if {
	some name, svc in input.services
	owner := object.get(svc, "owner", "")
	not regex.match(params.pattern, owner)
	f := {
		"msg": sprintf("owner %q does not match %s: alerts for the service reach no team", [owner, params.pattern]),
		"service": name,
		"path": "owner",
	}
}
