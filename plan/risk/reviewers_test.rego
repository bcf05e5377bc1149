package govctl.risk.reviewers_test

import data.govctl.risk.reviewers

# High in prod: the SRE team no longer approves prod deploys.
test_reviewer_removed_in_prod_is_high if {
	reviewers.rating == {{"level": "high", "reason": "reviewer(s) acme/sre removed in prod: fewer people may approve a deploy"}} with input as {
		"scope": "environment", "action": "update", "env": "prod", "tier": "prod", "segments": ["reviewers"],
		"from": ["alice", "bob", "acme/sre"], "to": ["alice", "bob"],
	}
}

test_reviewer_added_is_low if {
	{r.level | some r in reviewers.rating} == {"low"} with input as {
		"scope": "environment", "action": "update", "env": "prod", "tier": "prod", "segments": ["reviewers"],
		"from": ["alice"], "to": ["alice", "bob"],
	}
}
