package govctl.risk.exposure_test

import data.govctl.risk.exposure

# High: users becomes reachable from the internet.
test_made_public_is_high if {
	some r in exposure.rating with input as {"scope": "service", "action": "update", "service": "users", "env": "staging", "tier": "staging",
		"segments": ["exposure", "public"], "field": "exposure.public", "from": false, "to": true}
	r.level == "high"
	r.reason == "users is made public in staging: the gateway routes internet traffic to it"
}

# High: a new host is a new name on the internet.
test_host_added_is_high if {
	some r in exposure.rating with input as {"scope": "service", "action": "update", "service": "gateway", "env": "prod", "tier": "prod",
		"segments": ["exposure", "hosts"], "field": "exposure.hosts", "from": ["shop.example.com"], "to": ["shop.example.com", "admin.example.com"]}
	r.level == "high"
	contains(r.reason, "admin.example.com")
}
