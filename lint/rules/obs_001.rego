# METADATA
# title: Tracing is configured
# description: >-
#   The tracing middleware exports spans to the collector endpoint at the
#   configured sampling rate. Without an endpoint the spans go nowhere, and
#   with a sampling rate of zero none are recorded: either way the first
#   cross-service incident is debugged from logs alone, and the trace_id in
#   every log line points at nothing.
# custom:
#   id: GOV-OBS-001
#   severity: warning
#   reads: connected
#   remediation: >-
#     Set platform.telemetry.tracing.endpoint to the OpenTelemetry collector
#     (e.g. "otel-collector:4317") and sampling to a fraction above
#     minSampling and at most 1 (0.1 samples one request in ten).
#   params:
#     minSampling:
#       type: number
#       default: 0
#       looser: lower
#       minimum: 0
#       maximum: 1
#       description: The sampling rate must be above this fraction.
#   examples:
#     fail: |
#       platform: telemetry: tracing: sampling: 0
#     pass: |
#       platform: telemetry: tracing: {endpoint: "otel-collector:4317", sampling: 0.1}
package govctl.rules.obs_001

params := data.govctl.params["GOV-OBS-001"]

violation contains f if {
	object.get(input.platform.telemetry.tracing, "endpoint", "") == ""
	f := {
		"msg": "tracing has no collector endpoint: spans are dropped",
		"path": "platform.telemetry.tracing.endpoint",
	}
}

violation contains f if {
	sampling := input.platform.telemetry.tracing.sampling
	sampling <= params.minSampling
	f := {
		"msg": sprintf("tracing sampling %v is not above %v: no traces are recorded", [sampling, params.minSampling]),
		"path": "platform.telemetry.tracing.sampling",
	}
}

violation contains f if {
	sampling := input.platform.telemetry.tracing.sampling
	sampling > 1
	f := {
		"msg": sprintf("tracing sampling %v is above 1: it is a fraction of requests", [sampling]),
		"path": "platform.telemetry.tracing.sampling",
	}
}
