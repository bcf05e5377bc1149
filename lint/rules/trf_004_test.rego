package govctl.rules.trf_004_test

import data.govctl.rules.trf_004

virtual_service(name, http) := {
	"target": "istio",
	"env": "prod",
	"service": name,
	"path": sprintf("istio/prod/%s.yaml", [name]),
	"id": {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "namespace": "shop-prod", "name": name},
	"value": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "VirtualService",
		"metadata": {"name": name, "namespace": "shop-prod"},
		"spec": {"hosts": [name], "http": http},
	},
}

destination_rule(name, host, subsets) := {
	"target": "istio",
	"env": "prod",
	"service": name,
	"path": sprintf("istio/prod/%s.yaml", [name]),
	"id": {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "namespace": "shop-prod", "name": name},
	"value": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "DestinationRule",
		"metadata": {"name": name, "namespace": "shop-prod"},
		"spec": {"host": host, "subsets": [{"name": s, "labels": {"version": s}} | some s in subsets]},
	},
}

canary_route := [{
	"match": [{"headers": {"x-canary": {"exact": "true"}}}],
	"route": [
		{"destination": {"host": "orders", "subset": "canary"}, "weight": 30},
		{"destination": {"host": "orders", "subset": "stable"}, "weight": 70},
	],
	"timeout": "1s",
}]

spec(objects) := {"environment": {"name": "prod", "tier": "prod"}, "objects": objects}

test_missing_subset_fails if {
	trf_004.violation == {{
		"msg": `VirtualService shop-prod/orders routes to subset "canary" of orders, which no DestinationRule defines (defined: stable): those requests fail with 503`,
		"service": "orders",
		"path": "traffic",
	}} with input as spec([virtual_service("orders", canary_route), destination_rule("orders", "orders", ["stable"])])
}

test_missing_destination_rule_fails if {
	trf_004.violation == {
		{
			"msg": `VirtualService shop-prod/orders routes to subset "canary" of orders, which no DestinationRule defines (defined: none): those requests fail with 503`,
			"service": "orders",
			"path": "traffic",
		},
		{
			"msg": `VirtualService shop-prod/orders routes to subset "stable" of orders, which no DestinationRule defines (defined: none): those requests fail with 503`,
			"service": "orders",
			"path": "traffic",
		},
	} with input as spec([virtual_service("orders", canary_route)])
}

test_mirror_subset_is_checked if {
	http := [{
		"route": [{"destination": {"host": "orders", "subset": "stable"}}],
		"mirror": {"host": "orders", "subset": "canary"},
		"mirrors": [{"destination": {"host": "orders", "subset": "shadow"}}],
	}]
	count(trf_004.violation) == 2 with input as spec([virtual_service("orders", http), destination_rule("orders", "orders", ["stable"])])
}

test_object_without_service_points_at_the_environment if {
	vs := json.patch(virtual_service("orders", canary_route), [{"op": "remove", "path": "/service"}])
	{f.path | some f in trf_004.violation} == {"environments.prod"} with input as spec([vs])
}

test_all_subsets_defined_pass if {
	count(trf_004.violation) == 0 with input as spec([
		virtual_service("orders", canary_route),
		destination_rule("orders", "orders.shop-prod.svc.cluster.local", ["stable", "canary"]),
	])
}

test_routes_without_subsets_pass if {
	count(trf_004.violation) == 0 with input as spec([virtual_service("orders", [{"route": [{"destination": {"host": "orders"}}]}])])
}

test_no_objects_pass if {
	count(trf_004.violation) == 0 with input as spec([])
}

stable_route(host) := [{"route": [{"destination": {"host": host, "subset": "stable"}}]}]

test_host_forms_resolve_to_one_name if {
	dr := destination_rule("orders", "orders.shop-prod.svc", ["stable"])
	count(trf_004.violation) == 0 with input as spec([virtual_service("orders", stable_route("orders.shop-prod")), dr])
	count(trf_004.violation) == 0 with input as spec([virtual_service("orders", stable_route("orders.shop-prod.svc.cluster.local")), dr])
	count(trf_004.violation) == 1 with input as spec([virtual_service("orders", stable_route("orders.other")), dr])
}

test_namespace_falls_back_to_metadata if {
	vs := json.patch(virtual_service("orders", canary_route), [{"op": "remove", "path": "/id/namespace"}])
	dr := json.patch(destination_rule("orders", "orders", ["stable", "canary"]), [{"op": "replace", "path": "/id/namespace", "value": ""}])
	count(trf_004.violation) == 0 with input as spec([vs, dr])
}
