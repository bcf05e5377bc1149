# Package govctl.risk rates one planned change low, medium or high.
#
# The input is one change (see plan.RiskInput): action, target, env, tier,
# kind, id, service, resource, file, path, segments, op, before, after and
# object {before, after}. A rule adds {"level", "reason"} to `rating`; the
# highest level wins, ties go to the reason that sorts first. A change no
# rule rates gets `fallback`. Reasons are one line, name the environment
# and, for a field, the old and new value; the report already names the
# object.
#
# The rules, one file per class:
#
#   deletion.rego    deleted: by tier (prod high, staging medium, dev low);
#                    created: low
#   security.rego    PeerAuthentication, AuthorizationPolicy,
#                    RequestAuthentication, DestinationRule TLS, workflow
#                    permissions: by tier
#   rollout.rego     approvals lowered, approval gate removed, rollback
#                    threshold (canary maxErrorRate, gate error rate)
#                    raised, canary first step raised: high outside dev
#   resilience.rego  timeouts, retries, circuit breaker, connection pool,
#                    rate limit, degradation: medium outside dev, low in dev
#   config.rego      live Nacos config content: medium in prod
#   policy.rego      lint rules disabled, severity lowered, parameters
#                    loosened (per the rule's `looser` direction), rules
#                    dropped: by tier
package govctl.risk

# tier_level rates by tier the changes whose danger grows with the tier.
tier_level := {"dev": "low", "staging": "medium", "prod": "high"}

# norm makes maxErrorRate, max_error_rate and max-error-rate one name.
norm(s) := lower(replace(replace(s, "_", ""), "-", ""))

# names are the field names along the path, normalized.
names := [norm(s) | some s in input.segments; is_string(s); s != "[]"]

# field is the last field name of the path.
field := names[count(names) - 1] if count(names) > 0

# where names the environment in reasons.
where := input.env if input.env != ""

where := "every environment" if input.env == ""

# verb is what happened to the object or field.
verb := "created" if input.action == "create"

verb := "deleted" if input.action == "delete"

verb := "changed" if {
	input.action == "update"
	input.op == "change"
}

verb := "added" if {
	input.action == "update"
	input.op == "add"
}

verb := "removed" if {
	input.action == "update"
	input.op == "remove"
}

# show writes a value for a reason: numbers and strings as they are.
show(v) := v if is_string(v)

show(v) := format_int(v, 10) if {
	is_number(v)
	v == round(v)
}

show(v) := sprintf("%v", [v]) if {
	is_number(v)
	v != round(v)
}

show(v) := sprintf("%v", [v]) if {
	not is_string(v)
	not is_number(v)
}

# change_text is "old → new" for a changed field, "new" for an added one,
# "old removed" for a removed one.
change_text := sprintf("%s → %s", [show(input.before), show(input.after)]) if input.op == "change"

change_text := sprintf("%s added", [show(input.after)]) if input.op == "add"

change_text := sprintf("%s removed", [show(input.before)]) if input.op == "remove"

raised if {
	is_number(input.before)
	is_number(input.after)
	input.after > input.before
}

lowered if {
	is_number(input.before)
	is_number(input.after)
	input.after < input.before
}

# fallback rates a change no rule rates.
fallback := {"level": "low", "reason": sprintf("only %s changes; dev takes every change first", [where])} if {
	input.tier == "dev"
} else := {"level": "low", "reason": "no risk rule matched this change"}
