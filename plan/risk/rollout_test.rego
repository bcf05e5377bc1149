package govctl.risk_test

import data.govctl.risk

test_approvals_lowered_is_high if {
	{"level": "high", "reason": "approvals lowered 2 → 1 in prod"} in risk.rating with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Environment", "path": "approvals", "segments": ["approvals"], "op": "change",
		"before": 2, "after": 1,
	}
}

test_approvals_raised_is_not_high if {
	every r in risk.rating {
		r.level != "high"
	} with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Environment", "path": "approvals", "segments": ["approvals"], "op": "change",
		"before": 1, "after": 2,
	}
}

test_approval_gate_job_removed_is_high if {
	some r in risk.rating with input as {
		"action": "update", "target": "github", "env": "prod-approval-2", "tier": "prod",
		"kind": "Workflow", "path": "jobs.approve-prod-approval-2",
		"segments": ["jobs", "approve-prod-approval-2"], "op": "remove", "before": {"name": "approval 2 of 2 for prod"},
	}
	r.level == "high"
	contains(r.reason, "approval gate")
}

test_distinct_approvals_lowered_is_high if {
	some r in risk.rating with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Workflow", "path": "jobs.deploy-prod.steps[3].run",
		"segments": ["jobs", "deploy-prod", "steps", 3, "run"], "op": "change",
		"before": "govctl approvals verify --environments prod,prod-approval-2,prod-approval-3 --want 3",
		"after": "govctl approvals verify --environments prod,prod-approval-2 --want 2",
	}
	r == {"level": "high", "reason": "distinct approvals required lowered 3 → 2 in prod"}
}

test_canary_max_error_rate_raised_is_high if {
	{"level": "high", "reason": "rollback threshold raised 0.005 → 0.02 in prod: a worse canary passes the gate"} in risk.rating with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Environment", "path": "canary.maxErrorRate", "segments": ["canary", "maxErrorRate"], "op": "change",
		"before": 0.005, "after": 0.02,
	}
}

test_canary_max_error_rate_lowered_is_not_high if {
	every r in risk.rating {
		r.level != "high"
	} with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Environment", "path": "canary.maxErrorRate", "segments": ["canary", "maxErrorRate"], "op": "change",
		"before": 0.02, "after": 0.005,
	}
}

test_gate_error_rate_in_step_name_raised_is_high if {
	some r in risk.rating with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Workflow", "path": "jobs.deploy-prod.steps[9].name",
		"segments": ["jobs", "deploy-prod", "steps", 9, "name"], "op": "change",
		"before": "Canary: gate at 10% (error rate at most 0.5%)",
		"after": "Canary: gate at 10% (error rate at most 2%)",
	}
	r == {"level": "high", "reason": "rollback threshold raised 0.5% → 2% in prod: a worse canary passes the gate"}
}

test_canary_first_step_raised_is_high if {
	{"level": "high", "reason": "canary first step raised 10 → 30 in prod: more traffic reaches the new version before the first gate"} in risk.rating with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Environment", "path": "canary.steps[0]", "segments": ["canary", "steps", 0], "op": "change",
		"before": 10, "after": 30,
	}
}

test_canary_later_step_raised_is_not_high if {
	every r in risk.rating {
		r.level != "high"
	} with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Environment", "path": "canary.steps[1]", "segments": ["canary", "steps", 1], "op": "change",
		"before": 30, "after": 50,
	}
}

test_virtual_service_canary_weight_raised_is_high if {
	some r in risk.rating with input as {
		"action": "update", "target": "istio", "env": "prod", "tier": "prod",
		"kind": "VirtualService", "path": "spec.http[1].route[1].weight",
		"segments": ["spec", "http", 1, "route", 1, "weight"], "op": "change", "before": 10, "after": 30,
		"object": {"after": {"spec": {"http": [{}, {"route": [
			{"destination": {"host": "orders", "subset": "stable"}, "weight": 70},
			{"destination": {"host": "orders", "subset": "canary"}, "weight": 30},
		]}]}}},
	}
	r == {"level": "high", "reason": "canary share of traffic raised 10 → 30 in prod"}
}

test_workflow_first_shift_raised_is_high if {
	some r in risk.rating with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Workflow", "path": "jobs.deploy-prod.steps[1].name",
		"segments": ["jobs", "deploy-prod", "steps", 1, "name"], "op": "change",
		"before": "Shift 10% of traffic to v2", "after": "Shift 20% of traffic to v2",
		"object": {"after": {"jobs": {"deploy-prod": {"steps": [
			{"name": "Verify 2 distinct approvals"},
			{"name": "Shift 20% of traffic to v2"},
			{"name": "Hold 20% for 5m0s"},
			{"name": "Shift 50% of traffic to v2"},
		]}}}},
	}
	r == {"level": "high", "reason": "canary first step raised 10% → 20% in prod: more traffic reaches the new version before the first gate"}
}

test_workflow_later_shift_raised_is_not_high if {
	every r in risk.rating {
		r.level != "high"
	} with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Workflow", "path": "jobs.deploy-prod.steps[3].name",
		"segments": ["jobs", "deploy-prod", "steps", 3, "name"], "op": "change",
		"before": "Shift 30% of traffic to v2", "after": "Shift 50% of traffic to v2",
		"object": {"after": {"jobs": {"deploy-prod": {"steps": [
			{"name": "Verify 2 distinct approvals"},
			{"name": "Shift 20% of traffic to v2"},
			{"name": "Hold 20% for 5m0s"},
			{"name": "Shift 50% of traffic to v2"},
		]}}}},
	}
}

test_workflow_first_shift_with_canary_prefix_raised_is_high if {
	some r in risk.rating with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Workflow", "path": "jobs.deploy-prod.steps[4].name",
		"segments": ["jobs", "deploy-prod", "steps", 4, "name"], "op": "change",
		"before": "Canary: shift 10% of traffic to v2", "after": "Canary: shift 30% of traffic to v2",
		"object": {"after": {"jobs": {"deploy-prod": {"steps": [
			{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"},
			{"name": "Canary: shift 30% of traffic to v2"},
			{"name": "Canary: shift 60% of traffic to v2"},
		]}}}},
	}
	r.level == "high"
	startswith(r.reason, "canary first step raised 10% → 30%")
}

test_rollout_rules_do_not_fire_in_dev if {
	every r in risk.rating {
		r.level == "low"
	} with input as {
		"action": "update", "target": "github", "env": "dev", "tier": "dev",
		"kind": "Environment", "path": "canary.maxErrorRate", "segments": ["canary", "maxErrorRate"], "op": "change",
		"before": 0.005, "after": 0.5,
	}
}

test_reviewer_removed_is_medium if {
	{"level": "medium", "reason": "reviewer bob removed in prod"} in risk.rating with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Environment", "path": "reviewers[]", "segments": ["reviewers", "[]"], "op": "remove", "before": "bob",
	}
}
