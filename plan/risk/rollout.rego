package govctl.risk

# Fields that count the approvals a deployment needs.
approval_names := {"approvals", "requiredapprovals", "requiredapprovingreviewcount", "minapprovals"}

rating contains {"level": "high", "reason": sprintf("approvals lowered %s in %s", [change_text, where])} if {
	input.tier != "dev"
	field in approval_names
	approvals_lowered
}

approvals_lowered if lowered

approvals_lowered if {
	input.op == "remove"
	is_number(input.before)
	input.before > 0
}

# A deploy workflow composes N approvals from N chained environments: one
# approve-<env>-approval-<n> job each, and a check of N distinct approvers
# (govctl approvals verify --want N).
rating contains {"level": "high", "reason": sprintf("approval gate %s removed: fewer people approve the deployment", [input.segments[1]])} if {
	input.tier != "dev"
	input.target == "github"
	input.op == "remove"
	count(input.segments) == 2
	input.segments[0] == "jobs"
	startswith(input.segments[1], "approve-")
}

want_count(s) := to_number(m[1]) if {
	is_string(s)
	m := regex.find_all_string_submatch_n(`--want ([0-9]+)`, s, 1)[0]
}

rating contains {"level": "high", "reason": sprintf("distinct approvals required lowered %d → %d in %s", [want_count(input.before), want_count(input.after), where])} if {
	input.tier != "dev"
	input.target == "github"
	want_count(input.after) < want_count(input.before)
}

# The error rate above which a rollout is rolled back. Raising it lets a
# worse canary through.
threshold_names := {"maxerrorrate", "errorratethreshold", "gatethreshold", "rollbackthreshold", "maxerrorratio"}

rating contains {"level": "high", "reason": sprintf("rollback threshold raised %s in %s: a worse canary passes the gate", [change_text, where])} if {
	input.tier != "dev"
	field in threshold_names
	raised
}

# Deploy workflows name the gate's threshold in the step: "... (error rate
# at most 0.5%)".
gate_rate(s) := to_number(m[1]) if {
	is_string(s)
	m := regex.find_all_string_submatch_n(`error rate at most ([0-9]+(?:\.[0-9]+)?)%`, s, 1)[0]
}

rating contains {"level": "high", "reason": sprintf("rollback threshold raised %s%% → %s%% in %s: a worse canary passes the gate", [show(gate_rate(input.before)), show(gate_rate(input.after)), where])} if {
	input.tier != "dev"
	input.target == "github"
	gate_rate(input.after) > gate_rate(input.before)
}

# The first canary step is the share of traffic a new version gets before
# any gate has looked at it.
rating contains {"level": "high", "reason": sprintf("canary first step raised %s in %s: more traffic reaches the new version before the first gate", [change_text, where])} if {
	input.tier != "dev"
	n := count(input.segments)
	n >= 2
	input.segments[n - 1] == 0
	is_string(input.segments[n - 2])
	norm(input.segments[n - 2]) in {"steps", "canarysteps"}
	"canary" in names
	raised
}

rating contains {"level": "high", "reason": sprintf("canary first step raised %s in %s: more traffic reaches the new version before the first gate", [change_text, where])} if {
	input.tier != "dev"
	n := count(input.segments)
	n >= 1
	input.segments[n - 1] == 0
	field == "canarysteps"
	raised
}

# A VirtualService's weight for the canary subset is the current step.
rating contains {"level": "high", "reason": sprintf("canary share of traffic raised %s in %s", [change_text, where])} if {
	input.tier != "dev"
	input.kind == "VirtualService"
	field == "weight"
	raised
	route := object.get(input.object.after, array.slice(input.segments, 0, count(input.segments) - 1), {})
	route.destination.subset == "canary"
}

# Deploy workflows shift traffic in steps named "Shift 10% of traffic to
# v1.4.2" (or "Canary: shift ..."); the first such step of a job is the
# first canary step.
shift_percent(s) := to_number(m[1]) if {
	is_string(s)
	m := regex.find_all_string_submatch_n(`^(?i:canary: )?(?i:shift) ([0-9]+)% of traffic`, s, 1)[0]
}

rating contains {"level": "high", "reason": sprintf("canary first step raised %s%% → %s%% in %s: more traffic reaches the new version before the first gate", [show(shift_percent(input.before)), show(shift_percent(input.after)), where])} if {
	input.tier != "dev"
	input.target == "github"
	count(input.segments) == 5
	input.segments[0] == "jobs"
	input.segments[2] == "steps"
	input.segments[4] == "name"
	steps := input.object.after.jobs[input.segments[1]].steps
	first := min({i | some i, s in steps; shift_percent(s.name)})
	input.segments[3] == first
	shift_percent(input.after) > shift_percent(input.before)
}

# Fewer people allowed to approve is less review.
rating contains {"level": "medium", "reason": sprintf("reviewer %s removed in %s", [show(input.before), where])} if {
	input.tier != "dev"
	input.op == "remove"
	count(input.segments) >= 2
	input.segments[count(input.segments) - 1] == "[]"
	input.segments[count(input.segments) - 2] == "reviewers"
}
