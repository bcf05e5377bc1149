# METADATA
# title: A mirror to the canary mirrors nothing without a canary
# description: >-
#   An environment that mirrors traffic to the canary subset copies
#   requests only while a service rolls a new version out there: with no
#   canary running there is no subset to mirror to, so govctl renders no
#   mirror for the service (a mirror to a subset without pods would fail
#   every copy). The declared mirror then does nothing for that service,
#   which is easy to mistake for a dark launch that is running.
# custom:
#   id: GOV-TRF-007
#   severity: info
#   reads: connected
#   remediation: >-
#     Expected between rollouts. To mirror all the time, mirror to the
#     stable subset (environments.<env>.mirror.subset "stable"); to dark
#     launch a version, set services.<name>.traffic.stableVersion next to
#     its new version; to stop, set traffic.mirror false on the service.
#   examples:
#     fail: |
#       environments: staging: {tier: "staging", mirror: percent: 10}
#       services: orders: {version: "v2"}
#     pass: |
#       environments: staging: {tier: "staging", mirror: percent: 10}
#       services: orders: {version: "v2", traffic: stableVersion: "v1"}
package govctl.rules.trf_007

violation contains f if {
	mirror := input.environment.mirror
	object.get(mirror, "subset", "canary") == "canary"
	some name, svc in input.services
	object.get(svc, "kind", "app") == "app"
	object.get(svc.traffic, "mirror", true)
	not in_progress(svc)
	f := {
		"msg": sprintf("%s mirrors %v %% to the canary subset, but no canary of %s runs there: nothing is mirrored for it", [input.environment.name, mirror.percent, name]),
		"service": name,
		"path": "traffic.mirror",
	}
}

in_progress(svc) if {
	stable := object.get(svc.traffic, "stableVersion", "")
	stable != ""
	stable != svc.version
}
