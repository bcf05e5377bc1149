# METADATA
# title: Canary steps run long enough to be judged
# description: >-
#   The canary gate decides from the error rate the new version produced
#   during the step. A step shorter than a couple of Prometheus scrape and
#   rate windows is judged on too few samples: a failing version passes on
#   an empty or stale series and is promoted, or a healthy one is rolled
#   back on one unlucky request.
# custom:
#   id: GOV-TRF-006
#   severity: warning
#   reads: connected
#   remediation: >-
#     Raise environments.<env>.canary.interval to at least minInterval (the
#     schema default is 5m).
#   params:
#     minInterval:
#       type: string
#       format: duration
#       default: 1m
#       description: The shortest canary step, as a Go duration.
#   examples:
#     fail: |
#       environments: prod: canary: {steps: [10, 100], interval: "20s"}
#     pass: |
#       environments: prod: canary: {steps: [10, 100], interval: "5m"}
package govctl.rules.trf_006

params := data.govctl.params["GOV-TRF-006"]

violation contains f if {
	interval := input.environment.canary.interval
	time.parse_duration_ns(interval) < time.parse_duration_ns(params.minInterval)
	f := {
		"msg": sprintf("canary step interval %s is shorter than %s: the gate judges too few samples", [interval, params.minInterval]),
		"path": sprintf("environments.%s.canary.interval", [input.environment.name]),
	}
}
