# METADATA
# title: Registry outside the mesh under STRICT mTLS
# description: >-
#   A registry that is not the mesh's own (Consul, etcd, Nacos) checks an
#   instance's health by calling its HTTP port from outside the mesh, in
#   plaintext. Under STRICT mutual TLS the sidecar refuses that call, so the
#   check fails, the instance turns critical and the registry deregisters it
#   after deregisterAfter; every instance, all the time. A client that
#   resolved callees through such a registry (discovery:///) would also dial
#   pod IPs, which the sidecar passes through without routes, retries or
#   mTLS. govctl's bootstraps dial cluster DNS names inside the mesh, so the
#   registry is left only registering and health-checking.
# custom:
#   id: GOV-REG-005
#   severity: warning
#   reads: connected
#   remediation: >-
#     Inside the mesh let Kubernetes and the mesh be the registry: set
#     platform.registry.kind "kubernetes" (the kubelet probes the health
#     path, and Istio's injector rewrites the probes through the sidecar),
#     or set environments.<env>.mtls "PERMISSIVE" where the external
#     registry must keep checking instances.
#   examples:
#     fail: |
#       platform: registry: {kind: "consul", address: "consul:8500"}
#       environments: prod: {tier: "prod", mtls: "STRICT"}
#     pass: |
#       platform: registry: kind: "kubernetes"
#       environments: prod: {tier: "prod", mtls: "STRICT"}
package govctl.rules.reg_005

violation contains f if {
	registry := input.platform.registry
	registry.kind != "kubernetes"
	input.environment.mtls == "STRICT"
	check := registry.healthCheck
	f := {
		"msg": sprintf("%s health checks of %s come from outside the mesh in plaintext, which STRICT mTLS in %s refuses: every instance fails its check and is deregistered after %s", [registry.kind, check.path, input.environment.name, check.deregisterAfter]),
		"path": "platform.registry.kind",
	}
}
