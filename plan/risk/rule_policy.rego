# METADATA
# title: A lint rule disabled, its severity lowered or a parameter loosened
# description: >-
#   policies.rules configures each lint rule. Disabling one, lowering its
#   severity, or moving a parameter the way the rule's METADATA says
#   loosens it (looser: higher | lower) stops govctl catching what the rule
#   catches. Rated by the highest tier the rule's setting applies in
#   (its environments, or all), naming the rule.
# custom:
#   id: RISK-POL-002
package govctl.risk.rule_policy

import data.govctl.risk.lib

rule_id := input.segments[1] if {
	input.scope == "policies"
	count(input.segments) >= 2
	input.segments[0] == "rules"
}

after_rule := object.get(object.get(object.get(input.policies, "after", {}), "rules", {}), rule_id, {})

envs := object.get(after_rule, "environments", [])

tier := lib.highest_tier(lib.tiers_of(envs))

where := "in every environment" if count(envs) == 0

where := sprintf("in %s", [concat(", ", envs)]) if count(envs) > 0

severity := {"info": 0, "warning": 1, "error": 2}

loosened := sprintf("%s disabled %s: what it checks is no longer checked", [rule_id, where]) if {
	count(input.segments) == 3
	input.segments[2] == "enabled"
	input.to == false
}

# The severity before is the block's, or the rule's own (METADATA).
severity_before := object.get(input, "from", object.get(object.get(input, "rule", {}), "severity", "error"))

loosened := sprintf("%s severity lowered %s → %s %s", [rule_id, severity_before, input.to, where]) if {
	count(input.segments) == 3
	input.segments[2] == "severity"
	severity[input.to] < severity[severity_before]
}

param := input.segments[3] if {
	count(input.segments) == 4
	input.segments[2] == "params"
}

param_dir := input.rule.params[param].looser

loosened := sprintf("%s loosened: %s %s %s", [rule_id, param, lib.change_text, where]) if {
	param_dir == "higher"
	input.to > object.get(input, "from", input.to)
}

loosened := sprintf("%s loosened: %s %s %s", [rule_id, param, lib.change_text, where]) if {
	param_dir == "lower"
	input.to < object.get(input, "from", input.to)
}

rating contains {"level": lib.by_tier[tier], "reason": loosened} if rule_id

rating contains {"level": "low", "reason": sprintf("%s configured differently (%s) %s", [rule_id, concat(".", array.slice(input.segments, 2, count(input.segments))), where])} if {
	rule_id
	not loosened
}
