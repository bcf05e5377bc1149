# Package govctl.risk.lib holds what the risk rules share: how a tier
# scales a rating, how values read in a reason. It has no METADATA id and
# rates nothing itself.
#
# Each rule is one file, package govctl.risk.<name>, with a METADATA block
# (title, description, custom.id, custom.params with defaults read from
# data.govctl.params[id]) and a _test.rego beside it. The input is one spec
# change in one environment (plan.RiskInput).
package govctl.risk.lib

# by_tier rates the changes whose danger grows with the environment.
by_tier := {"dev": "low", "staging": "medium", "prod": "high"}

# outside_dev is medium outside dev and low in dev.
outside_dev := {"dev": "low", "staging": "medium", "prod": "medium"}

# where names the environment in a reason.
where := sprintf("in %s", [input.env]) if input.env != ""

where := "in every environment" if input.env == ""

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

# owner is the service's possessive: "orders'", "gateway's".
owner := sprintf("%s'", [input.service]) if endswith(input.service, "s")

owner := sprintf("%s's", [input.service]) if not endswith(input.service, "s")

# change_text is "old → new".
change_text := sprintf("%s → %s", [show(input.from), show(input.to)])

# seconds reads a Go duration ("10m", "800ms") as seconds; "" and "0s" are 0.
seconds(d) := 0 if d == ""

seconds(d) := time.parse_duration_ns(d) / 1000000000 if d != ""

# critical: the service is marked critical in its SLO, or promises four
# nines or more.
critical if input.after.slo.critical == true

critical if input.after.slo.availability >= 99.99

# public: the gateway routes to the service.
public if input.after.exposure.public == true

is_service_field(name) if {
	input.scope == "service"
	count(input.segments) >= 1
	input.segments[0] == name
}

# has_canary: the environment rolls out through a canary (on either side).
has_canary if input.environment.before.canary

has_canary if input.environment.after.canary

# tiers_of lists the tiers of environments names (all when names is empty).
tiers_of(names) := {t | some _, t in input.tiers} if count(names) == 0

tiers_of(names) := {input.tiers[n] | some n in names} if count(names) > 0

# highest_tier is the highest of a set of tiers.
highest_tier(ts) := "prod" if "prod" in ts

highest_tier(ts) := "staging" if {
	not "prod" in ts
	"staging" in ts
}

highest_tier(ts) := "dev" if {
	not "prod" in ts
	not "staging" in ts
}
