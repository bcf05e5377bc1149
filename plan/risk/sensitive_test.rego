package govctl.risk.sensitive_test

import data.govctl.risk.sensitive

# High: a literal password in a spec is a leaked credential.
test_literal_secret_is_high if {
	sensitive.rating == {{"level": "high", "reason": "payments: a sensitive value (config.data.db.password) is written in the spec in dev (GOV-SEC-003): it is in git history now"}} with input as {
		"scope": "service", "service": "payments", "env": "dev", "tier": "dev", "field": "config.data.db.password", "sensitive": true, "literal": true,
	}
}
