# METADATA
# title: Every routed subset exists in its DestinationRule
# description: >-
#   A VirtualService route to a subset that no DestinationRule of that host
#   defines is accepted by Istio, but Envoy has no cluster for it: every
#   request on that route fails with 503 NR ("no route"). It happens when a
#   canary or colouring route is rendered for a version whose subset was
#   never added, or after a DestinationRule is renamed.
# custom:
#   id: GOV-TRF-004
#   severity: error
#   reads: connected
#   scope: objects
#   remediation: >-
#     Define the subset in the DestinationRule of the host (a subset per
#     version label), or remove the route to it; check the service's
#     traffic settings and version.
#   examples:
#     fail: |
#       # VirtualService orders routes to subset "canary"; DestinationRule orders has only "stable".
#       services: orders: traffic: stableVersion: "v1.4.1"
#     pass: |
#       # The DestinationRule of orders defines both "stable" and "canary".
#       services: orders: {version: "v1.4.2", traffic: stableVersion: "v1.4.1"}
package govctl.rules.trf_004

is_kind(obj, kind) if {
	obj.id.kind == kind
	startswith(object.get(obj.value, "apiVersion", "networking.istio.io/"), "networking.istio.io/")
}

namespace(obj) := ns if {
	ns := obj.id.namespace
	ns != ""
} else := object.get(object.get(obj.value, "metadata", {}), "namespace", "default")

# fqdn expands a short host name the way Istio does: relative to the
# namespace of the object that names it.
fqdn(host, ns) := sprintf("%s.%s.svc.cluster.local", [host, ns]) if {
	not contains(host, ".")
} else := sprintf("%s.svc.cluster.local", [host]) if {
	count(split(host, ".")) == 2
} else := sprintf("%s.cluster.local", [host]) if {
	endswith(host, ".svc")
} else := host

subsets[host] contains subset if {
	some obj in input.objects
	is_kind(obj, "DestinationRule")
	host := fqdn(obj.value.spec.host, namespace(obj))
	some s in object.get(obj.value.spec, "subsets", [])
	subset := s.name
}

# routes holds every [VirtualService, destination] pair: route, mirror and
# mirrors destinations of http, tcp and tls routes.
routes contains [obj, d] if {
	some obj in virtual_services
	some kind in ["http", "tcp", "tls"]
	some route in object.get(obj.value.spec, kind, [])
	some r in object.get(route, "route", [])
	d := r.destination
}

routes contains [obj, d] if {
	some obj in virtual_services
	some route in object.get(obj.value.spec, "http", [])
	d := route.mirror
}

routes contains [obj, d] if {
	some obj in virtual_services
	some route in object.get(obj.value.spec, "http", [])
	some m in object.get(route, "mirrors", [])
	d := m.destination
}

virtual_services contains obj if {
	some obj in input.objects
	is_kind(obj, "VirtualService")
}

violation contains f if {
	some [obj, d] in routes
	subset := object.get(d, "subset", "")
	subset != ""
	host := fqdn(d.host, namespace(obj))
	not subset in object.get(subsets, host, set())
	f := object.union(
		{
			"msg": sprintf(
				"VirtualService %s/%s routes to subset %q of %s, which no DestinationRule defines (defined: %s): those requests fail with 503",
				[namespace(obj), obj.id.name, subset, d.host, defined(host)],
			),
			"path": "traffic",
		},
		owner(obj),
	)
}

defined(host) := concat(", ", sort(subsets[host])) if {
	count(subsets[host]) > 0
} else := "none"

owner(obj) := {"service": obj.service} if {
	object.get(obj, "service", "") != ""
} else := {"path": sprintf("environments.%s", [input.environment.name])}
