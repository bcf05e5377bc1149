# METADATA
# title: No forbidden objects
# description: Renders nothing of kind Forbidden.
# custom:
#   id: GOV-TST-003
#   severity: info
#   reads: connected
#   scope: objects
#   remediation: Do not render Forbidden objects.
package govctl.rules.tst_003

violation contains {"msg": sprintf("renders %s %s", [o.id.kind, o.id.name]), "service": o.service} if {
	some o in input.objects
	o.id.kind == "Forbidden"
}
