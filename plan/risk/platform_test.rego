package govctl.risk.platform_test

import data.govctl.risk.platform

test_registry_ttl_is_medium if {
	platform.rating == {{"level": "medium", "reason": "platform.registry.ttl changed: every service in every environment sees it"}} with input as {
		"scope": "platform", "field": "registry.ttl", "segments": ["registry", "ttl"],
	}
}
