package govctl.risk.mtls_test

import data.govctl.risk.mtls

# High in prod: without STRICT mTLS any pod can talk to prod services in plain text.
test_mtls_permissive_in_prod_is_high if {
	mtls.rating == {{"level": "high", "reason": "mTLS loosened STRICT → PERMISSIVE in prod: plain-text traffic is accepted and caller identities no longer hold"}} with input as {
		"scope": "environment", "action": "update", "env": "prod", "tier": "prod", "segments": ["mtls"], "from": "STRICT", "to": "PERMISSIVE",
	}
}
