package govctl.rules.obs_003_test

import data.govctl.rules.obs_003

defaults := {"GOV-OBS-003": {"pattern": "^team-[a-z0-9-]+$"}}

spec(owner) := {"services": {"orders": {"owner": owner}}}

test_person_as_owner_fails if {
	obs_003.violation == {{
		"msg": `owner "alice" does not match ^team-[a-z0-9-]+$: alerts for the service reach no team`,
		"service": "orders",
		"path": "owner",
	}} with input as spec("alice")
		with data.govctl.params as defaults
}

test_missing_owner_fails if {
	count(obs_003.violation) == 1 with input as {"services": {"orders": {}}}
		with data.govctl.params as defaults
}

test_team_owner_passes if {
	count(obs_003.violation) == 0 with input as spec("team-orders")
		with data.govctl.params as defaults
}

test_custom_pattern if {
	count(obs_003.violation) == 0 with input as spec("@acme/orders")
		with data.govctl.params as {"GOV-OBS-003": {"pattern": "^@acme/[a-z-]+$"}}
	count(obs_003.violation) == 1 with input as spec("team-orders")
		with data.govctl.params as {"GOV-OBS-003": {"pattern": "^@acme/[a-z-]+$"}}
}
