# METADATA
# title: Trace sampling within budget
# description: Sampling more than maxSampling of requests costs more than tracing is worth.
# custom:
#   id: GOV-TST-002
#   severity: warning
#   reads: connected
#   remediation: Lower platform.telemetry.tracing.sampling.
#   params:
#     maxSampling:
#       type: number
#       default: 0.5
#       minimum: 0
#       maximum: 1
#       description: The largest share of requests traced.
#     mode:
#       type: string
#       default: strict
#       enum: [strict, lenient]
#       description: How strict the check is.
package govctl.rules.tst_002

params := data.govctl.params["GOV-TST-002"]

violation contains {"msg": msg, "path": "platform.telemetry.tracing.sampling"} if {
	sampling := input.platform.telemetry.tracing.sampling
	sampling > params.maxSampling
	msg := sprintf("sampling %v is above %v (%s, now %s)", [sampling, params.maxSampling, params.mode, input.now])
}
