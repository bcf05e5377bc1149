package govctl.risk

# Deleting an object removes behaviour something may rely on: traffic
# routes, a config entry, a pipeline. How bad that is grows with the tier.
rating contains {"level": tier_level[input.tier], "reason": sprintf("deleted from %s", [where])} if {
	input.action == "delete"
	input.target != "policy"
}

# A new object changes nothing that existed; what it adds is rated by the
# other rules (a new AuthorizationPolicy in prod is security policy).
rating contains {"level": "low", "reason": sprintf("created in %s", [where])} if {
	input.action == "create"
	input.target != "policy"
}
