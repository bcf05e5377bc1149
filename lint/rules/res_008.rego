# METADATA
# title: Degradation levels are ordered
# description: >-
#   Degradation moves NORMAL → WARN → DEGRADED → FATAL as the error rate
#   passes warnAt, degradeAt and fatalAt. Levels out of order skip states:
#   a degradeAt at or below warnAt degrades without ever warning, and a
#   fatalAt at or below degradeAt fails requests outright before the
#   fallback is ever tried.
# custom:
#   id: GOV-RES-008
#   severity: error
#   reads: connected
#   remediation: >-
#     Order resilience.degradation so that warnAt < degradeAt < fatalAt,
#     e.g. {warnAt: 0.05, degradeAt: 0.2, fatalAt: 0.5}.
#   examples:
#     fail: |
#       services: orders: resilience: degradation: {warnAt: 0.2, degradeAt: 0.1}
#     pass: |
#       services: orders: resilience: degradation: {warnAt: 0.05, degradeAt: 0.2, fatalAt: 0.5}
package govctl.rules.res_008

violation contains f if {
	some name, svc in input.services
	degradation := svc.resilience.degradation
	degradation.degradeAt <= degradation.warnAt
	f := {
		"msg": sprintf("degradeAt %v is not above warnAt %v: the service degrades without warning", [degradation.degradeAt, degradation.warnAt]),
		"service": name,
		"path": "resilience.degradation.degradeAt",
	}
}

violation contains f if {
	some name, svc in input.services
	degradation := svc.resilience.degradation
	degradation.fatalAt <= degradation.degradeAt
	f := {
		"msg": sprintf("fatalAt %v is not above degradeAt %v: requests fail before the fallback is tried", [degradation.fatalAt, degradation.degradeAt]),
		"service": name,
		"path": "resilience.degradation.fatalAt",
	}
}
