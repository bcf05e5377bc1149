package govctl.risk.middleware_test

import data.govctl.risk.middleware

defaults := {"RISK-MW-001": {"essential": ["auth", "recovery"]}}

# High: without auth, payments serves anyone in the mesh.
test_auth_removed_in_prod_is_high if {
	some r in middleware.rating with input as {"scope": "service", "action": "update", "service": "payments", "env": "prod", "tier": "prod",
		"segments": ["middleware"], "from": ["recovery", "auth"], "to": ["recovery"]} with data.govctl.params as defaults
	r.level == "high"
	r.reason == "payments drops auth middleware in prod"
}
