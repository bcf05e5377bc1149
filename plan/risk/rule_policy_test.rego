package govctl.risk.rule_policy_test

import data.govctl.risk.rule_policy

tiers := {"dev": "dev", "staging": "staging", "prod": "prod"}

# High: prod loses a check.
test_rule_disabled_everywhere_is_high if {
	rule_policy.rating == {{"level": "high", "reason": "GOV-SEC-001 disabled in every environment: what it checks is no longer checked"}} with input as {
		"scope": "policies", "action": "create", "tier": "prod", "tiers": tiers, "segments": ["rules", "GOV-SEC-001", "enabled"],
		"to": false, "policies": {"after": {"rules": {"GOV-SEC-001": {"enabled": false}}}},
	}
}

# Disabled in dev only: low, the rating follows the rule's environments.
test_rule_disabled_in_dev_is_low if {
	{r.level | some r in rule_policy.rating} == {"low"} with input as {
		"scope": "policies", "action": "update", "tier": "prod", "tiers": tiers, "segments": ["rules", "GOV-OBS-001", "enabled"],
		"from": true, "to": false, "policies": {"after": {"rules": {"GOV-OBS-001": {"enabled": false, "environments": ["dev"]}}}},
	}
}

# High: a higher maximum first canary step lets more traffic through in prod.
test_param_loosened_is_high if {
	rule_policy.rating == {{"level": "high", "reason": "GOV-TRF-002 loosened: maxFirstCanaryStep 20 → 40 in every environment"}} with input as {
		"scope": "policies", "action": "update", "tier": "prod", "tiers": tiers, "segments": ["rules", "GOV-TRF-002", "params", "maxFirstCanaryStep"],
		"from": 20, "to": 40, "rule": {"id": "GOV-TRF-002", "params": {"maxFirstCanaryStep": {"looser": "higher"}}},
		"policies": {"after": {"rules": {"GOV-TRF-002": {"params": {"maxFirstCanaryStep": 40}}}}},
	}
}

# High: an error that blocked merges becomes a warning, whether the rule's
# block is new (the METADATA severity is the before) or not.
test_severity_lowered_from_metadata_is_high if {
	rule_policy.rating == {{"level": "high", "reason": "GOV-SEC-001 severity lowered error → warning in every environment"}} with input as {
		"scope": "policies", "action": "create", "tier": "prod", "tiers": tiers, "segments": ["rules", "GOV-SEC-001", "severity"],
		"to": "warning", "rule": {"id": "GOV-SEC-001", "params": {}, "severity": "error"},
		"policies": {"after": {"rules": {"GOV-SEC-001": {"severity": "warning"}}}},
	}
}

# High: an error that blocked merges becomes a warning.
test_severity_lowered_is_high if {
	some r in rule_policy.rating with input as {
		"scope": "policies", "action": "update", "tier": "prod", "tiers": tiers, "segments": ["rules", "GOV-RES-001", "severity"],
		"from": "error", "to": "warning", "policies": {"after": {"rules": {"GOV-RES-001": {"severity": "warning"}}}},
	}
	r.level == "high"
}

test_param_tightened_is_low if {
	{r.level | some r in rule_policy.rating} == {"low"} with input as {
		"scope": "policies", "action": "update", "tier": "prod", "tiers": tiers, "segments": ["rules", "GOV-TRF-002", "params", "maxFirstCanaryStep"],
		"from": 20, "to": 10, "rule": {"id": "GOV-TRF-002", "params": {"maxFirstCanaryStep": {"looser": "higher"}}},
		"policies": {"after": {"rules": {"GOV-TRF-002": {"params": {"maxFirstCanaryStep": 10}}}}},
	}
}
