package govctl.risk

# Objects that decide who may talk to whom, and how.
security_kinds := {"PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"}

security contains sprintf("%s is mesh security policy", [input.kind]) if {
	input.kind in security_kinds
}

# A workflow's permissions decide what its GITHUB_TOKEN may do.
security contains "workflow permissions decide what the job's token may do" if {
	input.target == "github"
	"permissions" in names
}

# A DestinationRule's TLS settings decide whether traffic is encrypted and
# authenticated (mTLS).
security contains "TLS settings decide whether traffic is encrypted and authenticated" if {
	input.kind == "DestinationRule"
	"tls" in names
}

rating contains {"level": tier_level[input.tier], "reason": sprintf("%s in %s: %s", [what, where, why])} if {
	some why in security
	what := security_what
}

security_what := verb if input.action != "update"

security_what := sprintf("%s %s", [input.path, verb]) if input.action == "update"
