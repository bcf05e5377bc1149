package govctl.risk.config_data_test

import data.govctl.risk.config_data

test_config_in_prod_is_medium if {
	config_data.rating == {{"level": "medium", "reason": "orders' live config config.data.db.maxOpen in prod: running instances reload it without a deploy or canary"}} with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "prod", "tier": "prod", "segments": ["config", "data", "db", "maxOpen"], "field": "config.data.db.maxOpen", "from": 200, "to": 100,
	}
}

test_config_in_dev_is_low if {
	{r.level | some r in config_data.rating} == {"low"} with input as {
		"scope": "service", "action": "update", "service": "orders", "env": "dev", "tier": "dev", "segments": ["config", "data", "db", "maxOpen"], "field": "config.data.db.maxOpen",
	}
}
