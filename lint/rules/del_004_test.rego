package govctl.rules.del_004_test

import data.govctl.rules.del_004

defaults := {"GOV-DEL-004": {"tiers": ["dev", "staging", "prod"]}}

env(tier, extra) := {"environment": object.union({"name": tier, "tier": tier, "autoDeploy": true}, extra)}

test_auto_deploy_without_smoke_test_fails if {
	del_004.violation == {{
		"msg": "dev deploys automatically but has no smoke test: broken builds are reported as deployed",
		"path": "environments.dev.autoDeploy",
	}} with input as env("dev", {})
		with data.govctl.params as defaults
}

test_auto_deploy_with_smoke_test_passes if {
	count(del_004.violation) == 0 with input as env("dev", {"smokeTest": "make smoke"})
		with data.govctl.params as defaults
}

test_manual_deploy_passes if {
	count(del_004.violation) == 0 with input as env("prod", {"autoDeploy": false})
		with data.govctl.params as defaults
}

test_custom_tiers if {
	count(del_004.violation) == 0 with input as env("staging", {})
		with data.govctl.params as {"GOV-DEL-004": {"tiers": ["dev"]}}
	count(del_004.violation) == 1 with input as env("staging", {})
		with data.govctl.params as defaults
}
