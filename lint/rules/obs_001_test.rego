package govctl.rules.obs_001_test

import data.govctl.rules.obs_001

defaults := {"GOV-OBS-001": {"minSampling": 0}}

tracing(t) := {"platform": {"telemetry": {"tracing": t}}}

test_missing_endpoint_fails if {
	obs_001.violation == {{
		"msg": "tracing has no collector endpoint: spans are dropped",
		"path": "platform.telemetry.tracing.endpoint",
	}} with input as tracing({"protocol": "grpc", "sampling": 0.1})
		with data.govctl.params as defaults
}

test_zero_sampling_fails_at_default if {
	obs_001.violation == {{
		"msg": "tracing sampling 0 is not above 0: no traces are recorded",
		"path": "platform.telemetry.tracing.sampling",
	}} with input as tracing({"endpoint": "otel-collector:4317", "sampling": 0})
		with data.govctl.params as defaults
}

test_sampling_above_one_fails if {
	count(obs_001.violation) == 1 with input as tracing({"endpoint": "otel-collector:4317", "sampling": 2})
		with data.govctl.params as defaults
}

test_configured_tracing_passes if {
	count(obs_001.violation) == 0 with input as tracing({"endpoint": "otel-collector:4317", "sampling": 0.1})
		with data.govctl.params as defaults
}

test_custom_minimum if {
	count(obs_001.violation) == 1 with input as tracing({"endpoint": "otel-collector:4317", "sampling": 0.01})
		with data.govctl.params as {"GOV-OBS-001": {"minSampling": 0.05}}
}
