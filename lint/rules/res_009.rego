# METADATA
# title: Public services are rate-limited
# description: >-
#   A public service takes whatever the internet sends: a retry storm from
#   a mobile client, a scraper or a credential-stuffing run. Without a rate
#   limit that burst reaches the service and, through its dependencies, the
#   whole platform; with one, excess requests get a cheap 429 at the edge.
# custom:
#   id: GOV-RES-009
#   severity: error
#   reads: connected
#   remediation: >-
#     Set resilience.rateLimit on the public service, e.g. {algorithm:
#     "token_bucket", rps: 500, burst: 100}, sized from its capacity.
#   params:
#     tiers:
#       type: array
#       items: {type: string, enum: [dev, staging, prod]}
#       default: [prod]
#       description: Environment tiers in which public services must be rate-limited.
#   examples:
#     fail: |
#       services: gateway: exposure: {public: true, hosts: ["shop.acme.io"]}
#     pass: |
#       services: gateway: {exposure: {public: true, hosts: ["shop.acme.io"]}, resilience: rateLimit: rps: 500}
package govctl.rules.res_009

params := data.govctl.params["GOV-RES-009"]

violation contains f if {
	input.environment.tier in params.tiers
	some name, svc in input.services
	svc.exposure.public == true
	not svc.resilience.rateLimit
	f := {
		"msg": "public service has no rate limit: any burst from the internet reaches it and its dependencies",
		"service": name,
		"path": "resilience.rateLimit",
	}
}
