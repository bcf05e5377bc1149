package govctl.risk

# Services read their Nacos entries live (long polling, hot reload): a
# change reaches every running instance at once, with no rollout.
rating contains {"level": "medium", "reason": sprintf("live config %s in %s: running services reload it at once", [verb, where])} if {
	input.target == "nacos"
	input.action == "update"
	input.tier == "prod"
}
