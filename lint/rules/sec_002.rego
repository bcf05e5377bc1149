# METADATA
# title: No allow-all AuthorizationPolicy
# description: >-
#   An ALLOW AuthorizationPolicy with a rule that has no from, to or when
#   matches every request, so it admits any caller to the workloads it
#   selects and overrides the deny-by-default that the other ALLOW policies
#   establish. It usually comes from an empty rule ({}) written as a
#   placeholder, or from a list of callers that turned out empty.
# custom:
#   id: GOV-SEC-002
#   severity: error
#   reads: connected
#   scope: objects
#   remediation: >-
#     Give every ALLOW rule a from (source principals or namespaces), to or
#     when clause; callers come from the other services' dependencies, so
#     declare the dependency on this service where it is missing.
#   examples:
#     fail: |
#       # AuthorizationPolicy payments: {action: ALLOW, rules: [{}]}
#       services: payments: {}
#     pass: |
#       # AuthorizationPolicy payments allows the principal of orders only.
#       services: orders: dependencies: payments: timeout: "800ms"
package govctl.rules.sec_002

violation contains f if {
	some obj in input.objects
	obj.id.kind == "AuthorizationPolicy"
	startswith(object.get(obj.value, "apiVersion", "security.istio.io/"), "security.istio.io/")
	spec := object.get(obj.value, "spec", {})
	object.get(spec, "action", "ALLOW") == "ALLOW"
	some i, rule in object.get(spec, "rules", [])
	allows_all(rule)
	f := object.union(
		{
			"msg": sprintf(
				"AuthorizationPolicy %s/%s allows every request: rule %d has no from, to or when",
				[object.get(obj.id, "namespace", ""), obj.id.name, i + 1],
			),
			"path": "",
		},
		owner(obj),
	)
}

allows_all(rule) if {
	count(object.get(rule, "from", [])) == 0
	count(object.get(rule, "to", [])) == 0
	count(object.get(rule, "when", [])) == 0
}

owner(obj) := {"service": obj.service} if {
	object.get(obj, "service", "") != ""
} else := {"path": sprintf("environments.%s", [input.environment.name])}
