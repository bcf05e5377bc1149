package govctl.risk_test

import data.govctl.risk

test_authorization_policy_change_in_prod_is_high if {
	some r in risk.rating with input as {
		"action": "update", "target": "istio", "env": "prod", "tier": "prod",
		"kind": "AuthorizationPolicy", "path": "spec.rules[0].from[0].source.principals[]",
		"segments": ["spec", "rules", 0, "from", 0, "source", "principals", "[]"], "op": "add",
		"after": "cluster.local/ns/shop-prod/sa/gateway",
	}
	r.level == "high"
	r.reason == "spec.rules[0].from[0].source.principals[] added in prod: AuthorizationPolicy is mesh security policy"
}

test_peer_authentication_created_in_staging_is_medium if {
	{"level": "medium", "reason": "created in staging: PeerAuthentication is mesh security policy"} in risk.rating with input as {
		"action": "create", "target": "istio", "env": "staging", "tier": "staging",
		"kind": "PeerAuthentication", "path": "", "segments": [], "op": "",
	}
}

test_security_change_in_dev_is_low if {
	every r in risk.rating {
		r.level == "low"
	} with input as {
		"action": "delete", "target": "istio", "env": "dev", "tier": "dev",
		"kind": "PeerAuthentication", "path": "", "segments": [], "op": "",
	}
}

test_workflow_permissions_in_prod_are_high if {
	some r in risk.rating with input as {
		"action": "update", "target": "github", "env": "prod", "tier": "prod",
		"kind": "Workflow", "path": "jobs.deploy-prod.permissions.id-token",
		"segments": ["jobs", "deploy-prod", "permissions", "id-token"], "op": "add", "after": "write",
	}
	r.level == "high"
	contains(r.reason, "workflow permissions")
}

test_destination_rule_tls_is_security if {
	some r in risk.rating with input as {
		"action": "update", "target": "istio", "env": "prod", "tier": "prod",
		"kind": "DestinationRule", "path": "spec.trafficPolicy.tls.mode",
		"segments": ["spec", "trafficPolicy", "tls", "mode"], "op": "change",
		"before": "ISTIO_MUTUAL", "after": "DISABLE",
	}
	r.level == "high"
}
