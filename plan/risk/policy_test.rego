package govctl.risk_test

import data.govctl.risk

rule_input(env, tier, path, segments, before, after) := {
	"action": "update", "target": "policy", "env": env, "tier": tier,
	"kind": "LintRule", "id": {"kind": "LintRule", "name": "GOV-RES-001"},
	"path": path, "segments": segments, "op": "change", "before": before, "after": after,
	"object": {
		"before": {"enabled": true, "severity": "error", "params": {"maxTimeout": 5, "minReplicas": 2}, "looser": {"maxTimeout": "higher", "minReplicas": "lower"}},
		"after": {"enabled": true, "severity": "error", "params": {"maxTimeout": 5, "minReplicas": 2}, "looser": {"maxTimeout": "higher", "minReplicas": "lower"}},
	},
}

test_rule_disabled_for_prod_is_high if {
	{"level": "high", "reason": "lint rule GOV-RES-001 disabled in prod"} in risk.rating with input as rule_input("prod", "prod", "enabled", ["enabled"], true, false)
}

test_rule_disabled_for_dev_is_low if {
	{"level": "low", "reason": "lint rule GOV-RES-001 disabled in dev"} in risk.rating with input as rule_input("dev", "dev", "enabled", ["enabled"], true, false)
}

test_severity_lowered_for_prod_is_high if {
	{"level": "high", "reason": "lint rule GOV-RES-001 severity lowered error → warning in prod"} in risk.rating with input as rule_input("prod", "prod", "severity", ["severity"], "error", "warning")
}

test_severity_raised_is_not_rated if {
	count(risk.rating) == 0 with input as rule_input("prod", "prod", "severity", ["severity"], "warning", "error")
}

test_maximum_raised_is_loosened if {
	{"level": "high", "reason": "lint rule GOV-RES-001 loosened in prod: maxTimeout 5 → 10"} in risk.rating with input as rule_input("prod", "prod", "params.maxTimeout", ["params", "maxTimeout"], 5, 10)
}

test_minimum_lowered_is_loosened if {
	{"level": "high", "reason": "lint rule GOV-RES-001 loosened in prod: minReplicas 2 → 1"} in risk.rating with input as rule_input("prod", "prod", "params.minReplicas", ["params", "minReplicas"], 2, 1)
}

test_maximum_lowered_is_tightened if {
	count(risk.rating) == 0 with input as rule_input("prod", "prod", "params.maxTimeout", ["params", "maxTimeout"], 5, 3)
}

test_param_without_direction_is_not_loosened if {
	count(risk.rating) == 0 with input as rule_input("prod", "prod", "params.other", ["params", "other"], 5, 50)
}

test_rule_dropped_for_prod_is_high if {
	{"level": "high", "reason": "lint rule GOV-RES-001 no longer applies in prod"} in risk.rating with input as {
		"action": "delete", "target": "policy", "env": "prod", "tier": "prod", "kind": "LintRule",
		"id": {"kind": "LintRule", "name": "GOV-RES-001"}, "path": "", "segments": [], "op": "",
	}
}
