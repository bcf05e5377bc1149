package govctl.rules.obs_004_test

import data.govctl.rules.obs_004

defaults := {"GOV-OBS-004": {
	"pattern": `^{service}([.-][a-z0-9-]+)*\.{ext}$`,
	"extensions": {"yaml": ["yaml", "yml"], "properties": ["properties"], "json": ["json"], "text": ["txt", "text"]},
}}

spec(config) := {"services": {"orders": {"config": config}}}

test_wrong_extension_fails if {
	obs_004.violation == {{
		"msg": `dataId "orders.conf" does not match ^orders([.-][a-z0-9-]+)*\.(yaml|yml)$ for format yaml: name it after the service with a .yaml extension`,
		"service": "orders",
		"path": "config.dataId",
	}} with input as spec({"dataId": "orders.conf", "format": "yaml"})
		with data.govctl.params as defaults
}

test_other_service_name_fails if {
	count(obs_004.violation) == 1 with input as spec({"dataId": "payments.yaml", "format": "yaml"})
		with data.govctl.params as defaults
}

test_format_mismatch_fails if {
	count(obs_004.violation) == 1 with input as spec({"dataId": "orders.yaml", "format": "properties"})
		with data.govctl.params as defaults
}

test_conventional_names_pass if {
	count(obs_004.violation) == 0 with input as spec({"dataId": "orders.yaml", "format": "yaml"})
		with data.govctl.params as defaults
	count(obs_004.violation) == 0 with input as spec({"dataId": "orders-bootstrap.yml", "format": "yaml"})
		with data.govctl.params as defaults
	count(obs_004.violation) == 0 with input as spec({"format": "json"})
		with data.govctl.params as defaults
}

test_custom_pattern if {
	params := {"GOV-OBS-004": object.union(defaults["GOV-OBS-004"], {"pattern": `^shop-{service}\.{ext}$`})}
	count(obs_004.violation) == 0 with input as spec({"dataId": "shop-orders.yaml", "format": "yaml"})
		with data.govctl.params as params
	count(obs_004.violation) == 1 with input as spec({"dataId": "orders.yaml", "format": "yaml"})
		with data.govctl.params as params
}
