package govctl.risk

# Lint-rule pseudo-objects (target "policy", kind "LintRule", id.name the
# rule id, after/before {enabled, severity, params, looser}): relaxing
# governance is rated by the tier it is relaxed for.

severity_rank := {"info": 1, "warning": 2, "error": 3}

rule_id := input.id.name

rating contains {"level": tier_level[input.tier], "reason": sprintf("lint rule %s disabled in %s", [rule_id, where])} if {
	input.target == "policy"
	input.action == "update"
	input.path == "enabled"
	input.before == true
	input.after == false
}

rating contains {"level": tier_level[input.tier], "reason": sprintf("lint rule %s severity lowered %s → %s in %s", [rule_id, input.before, input.after, where])} if {
	input.target == "policy"
	input.action == "update"
	input.path == "severity"
	severity_rank[input.after] < severity_rank[input.before]
}

# A parameter is loosened when it moves in the direction the object's
# `looser` map gives for it: "higher" for a maximum, "lower" for a minimum.
rating contains {"level": tier_level[input.tier], "reason": sprintf("lint rule %s loosened in %s: %s %s", [rule_id, where, param, change_text])} if {
	input.target == "policy"
	input.action == "update"
	count(input.segments) == 2
	input.segments[0] == "params"
	param := input.segments[1]
	loosened(looser_direction(param))
}

looser_direction(p) := input.object.after.looser[p]

looser_direction(p) := input.object.before.looser[p] if not input.object.after.looser[p]

loosened("higher") if raised

loosened("lower") if lowered

rating contains {"level": tier_level[input.tier], "reason": sprintf("lint rule %s no longer applies in %s", [rule_id, where])} if {
	input.target == "policy"
	input.action == "delete"
}

rating contains {"level": "low", "reason": sprintf("lint rule %s now applies in %s", [rule_id, where])} if {
	input.target == "policy"
	input.action == "create"
}
