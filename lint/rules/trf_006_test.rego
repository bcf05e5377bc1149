package govctl.rules.trf_006_test

import data.govctl.rules.trf_006

defaults := {"GOV-TRF-006": {"minInterval": "1m"}}

env(interval) := {"environment": {"name": "prod", "tier": "prod", "canary": {"steps": [10, 100], "interval": interval}}}

test_short_interval_fails if {
	trf_006.violation == {{
		"msg": "canary step interval 20s is shorter than 1m: the gate judges too few samples",
		"path": "environments.prod.canary.interval",
	}} with input as env("20s")
		with data.govctl.params as defaults
}

test_interval_at_the_default_passes if {
	count(trf_006.violation) == 0 with input as env("60s")
		with data.govctl.params as defaults
}

test_custom_minimum if {
	count(trf_006.violation) == 1 with input as env("2m")
		with data.govctl.params as {"GOV-TRF-006": {"minInterval": "5m"}}
	count(trf_006.violation) == 0 with input as env("5m")
		with data.govctl.params as {"GOV-TRF-006": {"minInterval": "5m"}}
}
