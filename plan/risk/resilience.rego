package govctl.risk

# Fields that shape behaviour under load or failure, by what they are part
# of. The first one along the path names the category, so that
# circuitBreaker.timeout is the breaker's, not a request timeout.
resilience_names := {
	"timeout": "timeout",
	"timeouts": "timeout",
	"pertrytimeout": "timeout",
	"idletimeout": "timeout",
	"connecttimeout": "timeout",
	"retries": "retries",
	"retrypolicy": "retries",
	"attempts": "retries",
	"retryon": "retries",
	"maxretries": "retries",
	"circuitbreaker": "circuit breaker",
	"outlierdetection": "circuit breaker",
	"consecutive5xxerrors": "circuit breaker",
	"consecutivegatewayerrors": "circuit breaker",
	"consecutiveerrors": "circuit breaker",
	"baseejectiontime": "circuit breaker",
	"maxejectionpercent": "circuit breaker",
	"minhealthpercent": "circuit breaker",
	"errorthreshold": "circuit breaker",
	"minrequests": "circuit breaker",
	"connectionpool": "connection pool",
	"http1maxpendingrequests": "connection pool",
	"http2maxrequests": "connection pool",
	"maxrequestsperconnection": "connection pool",
	"maxconnections": "connection pool",
	"ratelimit": "rate limit",
	"localratelimit": "rate limit",
	"tokenbucket": "rate limit",
	"maxtokens": "rate limit",
	"tokensperfill": "rate limit",
	"fillinterval": "rate limit",
	"rps": "rate limit",
	"burst": "rate limit",
	"degradation": "degradation",
	"fallbacktimeout": "degradation",
}

resilience_categories := [c | some n in names; c := resilience_names[n]]

resilience_level := {"dev": "low", "staging": "medium", "prod": "medium"}

rating contains {"level": resilience_level[input.tier], "reason": sprintf("%s %s in %s (%s: %s)", [category, verb, where, input.path, change_text])} if {
	input.action == "update"
	input.target != "policy"
	count(resilience_categories) > 0
	category := resilience_categories[0]
}
