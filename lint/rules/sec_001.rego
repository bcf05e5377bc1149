# METADATA
# title: STRICT mTLS in production
# description: >-
#   In PERMISSIVE mode sidecars also accept plaintext, so any pod in the
#   cluster, including a compromised one outside the mesh, can call the
#   services without an identity, and the AuthorizationPolicies that match
#   on caller principals see no principal to check. Traffic between nodes
#   also travels unencrypted.
# custom:
#   id: GOV-SEC-001
#   severity: error
#   reads: connected
#   remediation: >-
#     Set environments.<env>.mtls to "STRICT" (the schema default) once every
#     client of the namespace runs with a sidecar.
#   params:
#     tiers:
#       type: array
#       items: {type: string, enum: [dev, staging, prod]}
#       default: [prod]
#       description: Environment tiers that must run STRICT mTLS.
#   examples:
#     fail: |
#       environments: prod: {tier: "prod", mtls: "PERMISSIVE"}
#     pass: |
#       environments: prod: {tier: "prod", mtls: "STRICT"}
package govctl.rules.sec_001

params := data.govctl.params["GOV-SEC-001"]

violation contains f if {
	input.environment.tier in params.tiers
	input.environment.mtls != "STRICT"
	f := {
		"msg": sprintf("mTLS is %s in %s (tier %s): plaintext callers without an identity are accepted", [input.environment.mtls, input.environment.name, input.environment.tier]),
		"path": sprintf("environments.%s.mtls", [input.environment.name]),
	}
}
