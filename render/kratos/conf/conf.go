// Package conf is the bootstrap configuration of a Kratos v2 service as
// govctl renders it: the Go types a service Scans its config.yaml into.
//
//	c := config.New(config.WithSource(file.NewSource("configs/config.yaml")))
//	defer c.Close()
//	if err := c.Load(); err != nil { ... }
//	var bc conf.Bootstrap
//	if err := c.Scan(&bc); err != nil { ... }
//
// Kratos' Config.Scan marshals the loaded sources to JSON and decodes them
// with encoding/json into a plain Go value (protojson only for a
// proto.Message), so these types are plain structs whose json tags are the
// file's keys. Keys are snake_case as in kratos-layout's configs/config.yaml
// and internal/conf/conf.proto, and durations are written in the JSON form of
// google.protobuf.Duration ("1s", "0.800s"), so a service whose bootstrap is
// a conf.proto in the kratos-layout style reads the same file.
package conf

// Bootstrap is the whole config.yaml of one service in one environment.
type Bootstrap struct {
	// Service names the service and the environment the file was rendered for.
	Service Service `json:"service"`
	// Server is the service's HTTP and gRPC servers.
	Server Server `json:"server"`
	// Registry is where the service registers and is health-checked.
	Registry Registry `json:"registry"`
	// Trace is where the service exports spans.
	Trace Trace `json:"trace"`
	// Metrics is whether and where the service exposes metrics.
	Metrics Metrics `json:"metrics"`
	// Middleware is the server middleware chain, outermost first, as the
	// spec orders it: Kratos applies http.Middleware(m...) and
	// grpc.Middleware(m...) in argument order.
	Middleware []string `json:"middleware"`
	// Clients has one client per dependency, keyed by the dependency's
	// service name; nil when the service calls no other service.
	Clients map[string]Client `json:"clients,omitempty"`
	// Degradation is the NORMAL → WARN → DEGRADED → FATAL ladder; nil when
	// the service declares none.
	Degradation *Degradation `json:"degradation,omitempty"`
	// RateLimit limits incoming requests; nil when the service declares none.
	RateLimit *RateLimit `json:"rate_limit,omitempty"`
	// ConfigCenter is where the service reads its own configuration; nil
	// when the platform has no config centre.
	ConfigCenter *ConfigCenter `json:"config_center,omitempty"`
}

// Service identifies the running service.
type Service struct {
	// Name is the service name, which is also its name in the registry.
	Name string `json:"name"`
	// Version is the image tag being deployed.
	Version string `json:"version"`
	// Env is the environment name (dev, staging, prod …).
	Env string `json:"env"`
	// Namespace is the Kubernetes namespace the service runs in; with Name it
	// forms the service's cluster DNS name and the mesh's workload labels
	// (destination_service_namespace), which metrics line up with. Empty in
	// files rendered before the field existed.
	Namespace string `json:"namespace,omitempty"`
}

// Server is the service's two Kratos servers.
type Server struct {
	HTTP Transport `json:"http"`
	GRPC Transport `json:"grpc"`
}

// Transport is one Kratos server: http.NewServer(http.Network(n),
// http.Address(a), http.Timeout(t)) and the same options of grpc.NewServer.
type Transport struct {
	// Network is the listener's network, "tcp".
	Network string `json:"network"`
	// Addr is host:port to listen on.
	Addr string `json:"addr"`
	// Timeout is the deadline the server puts on every request.
	Timeout Duration `json:"timeout"`
}

// Registry is the service registry the service registers with.
type Registry struct {
	// Kind is consul, etcd, nacos or kubernetes.
	Kind string `json:"kind"`
	// Address is the registry's host:port; empty for kubernetes.
	Address string `json:"address,omitempty"`
	// Heartbeat is how often the instance renews its registration.
	Heartbeat Duration `json:"heartbeat"`
	// TTL is how long a registration lives without a heartbeat.
	TTL Duration `json:"ttl"`
	// HealthCheck is the registry's check of the instance.
	HealthCheck HealthCheck `json:"health_check"`
}

// HealthCheck is how the registry checks an instance.
type HealthCheck struct {
	// Path is the HTTP path the registry polls.
	Path string `json:"path"`
	// Interval is the time between checks.
	Interval Duration `json:"interval"`
	// Timeout is how long one check may take.
	Timeout Duration `json:"timeout"`
	// DeregisterAfter is how long an instance may stay critical before the
	// registry removes it.
	DeregisterAfter Duration `json:"deregister_after"`
}

// Trace is the OpenTelemetry span export.
type Trace struct {
	// Endpoint is the OTLP collector's host:port; empty when the platform
	// names none (spans are then not exported).
	Endpoint string `json:"endpoint,omitempty"`
	// Protocol is the OTLP protocol, grpc or http.
	Protocol string `json:"protocol"`
	// Sampler is the share of root traces sampled, in [0, 1].
	Sampler float64 `json:"sampler"`
}

// Metrics is the service's metrics endpoint.
type Metrics struct {
	Enabled bool `json:"enabled"`
	// Path is the HTTP path metrics are served on.
	Path string `json:"path"`
}

// Client is how the service calls one dependency.
type Client struct {
	// Endpoint is the gRPC target of the dependency. Inside the mesh it is
	// the cluster DNS name, "dns:///<service>.<namespace>.svc.cluster.local:<grpc port>",
	// so the caller's sidecar applies the dependency's routes, retries and
	// mTLS; "discovery:///<service>" (resolved through the registry) only
	// where no mesh routes the call.
	Endpoint string `json:"endpoint"`
	// HTTPEndpoint is the same dependency's HTTP base URL:
	// "http://<service>.<namespace>.svc.cluster.local:<http port>" inside
	// the mesh, "discovery:///<service>" otherwise. Empty for a dependency
	// that serves no HTTP.
	HTTPEndpoint string `json:"http_endpoint,omitempty"`
	// Timeout is the deadline of one call, retries included; zero means
	// the Kratos client default.
	Timeout Duration `json:"timeout,omitempty"`
	// Retries is the retry policy the application applies; nil means the
	// application does not retry: either no retries were declared or the
	// platform gives retries to the mesh (the default), whose sidecar then
	// retries and the client must not retry again.
	Retries *Retries `json:"retries,omitempty"`
	// CircuitBreaker is the breaker in front of the dependency: the one the
	// dependency declares for its callers, which the mesh applies too
	// (DestinationRule outlier detection). Nil when it declares none.
	CircuitBreaker *CircuitBreaker `json:"circuit_breaker,omitempty"`
	// Optional dependencies are degraded around rather than failed on.
	Optional bool `json:"optional"`
}

// Retries is a client retry policy.
type Retries struct {
	// Attempts is the number of retries after the first try.
	Attempts int `json:"attempts"`
	// PerTryTimeout is the deadline of each try.
	PerTryTimeout Duration `json:"per_try_timeout"`
	// RetryOn is the spec's retry conditions in Envoy's x-envoy-retry-on
	// vocabulary ("5xx,reset,connect-failure,retriable-4xx"), which the
	// application maps onto its transport's errors; empty means "5xx,reset,connect-failure".
	RetryOn string `json:"retry_on,omitempty"`
}

// CircuitBreaker is a closed → open → half-open breaker.
type CircuitBreaker struct {
	// MinRequests is how many requests a window needs before the breaker
	// may open.
	MinRequests int `json:"min_requests"`
	// Interval is the window over which errors are counted.
	Interval Duration `json:"interval"`
	// Timeout is how long the breaker stays open before it lets a probe
	// through (half-open).
	Timeout Duration `json:"timeout"`
	// ErrorThreshold is the error ratio, in [0, 1], that opens the breaker.
	ErrorThreshold float64 `json:"error_threshold"`
}

// Degradation is the error-rate ladder NORMAL → WARN → DEGRADED → FATAL.
type Degradation struct {
	// WarnAt is the error ratio at which the service enters WARN.
	WarnAt float64 `json:"warn_at"`
	// DegradeAt is the error ratio at which it enters DEGRADED and serves
	// from FallbackTo.
	DegradeAt float64 `json:"degrade_at"`
	// FatalAt is the error ratio at which it enters FATAL; nil when the
	// ladder stops at DEGRADED.
	FatalAt *float64 `json:"fatal_at,omitempty"`
	// FallbackTo is the service that answers while degraded; empty when
	// there is none. It is also one of Clients, so the service dials it like
	// any dependency (and the mesh admits the call).
	FallbackTo string `json:"fallback_to,omitempty"`
	// FallbackTimeout is the deadline of a call to the fallback.
	FallbackTimeout Duration `json:"fallback_timeout"`
	// Interval is the window over which the service's own error rate is
	// measured: the service's circuit-breaker interval. Zero means 60s.
	Interval Duration `json:"interval,omitempty"`
	// MinRequests is how many requests the window needs before the error
	// rate moves the level off NORMAL: the service's circuit-breaker
	// min_requests. Zero means every request counts.
	MinRequests int `json:"min_requests,omitempty"`
}

// RateLimit is a limit on incoming requests.
type RateLimit struct {
	// Algorithm is token_bucket or leaky_bucket.
	Algorithm string `json:"algorithm"`
	// Backend is local (per instance) or redis (shared).
	Backend string `json:"backend"`
	// RPS is the sustained rate in requests per second.
	RPS int `json:"rps"`
	// Burst is the bucket size.
	Burst int `json:"burst"`
	// Redis is the host:port of the Redis server that holds the bucket
	// shared by every instance when Backend is redis; empty otherwise.
	Redis string `json:"redis,omitempty"`
}

// ConfigCenter is the service's entry in the config centre.
type ConfigCenter struct {
	// Kind is nacos or apollo.
	Kind string `json:"kind"`
	// Address is the config centre's host:port.
	Address string `json:"address"`
	// Namespace is the environment's namespace in the config centre.
	Namespace string `json:"namespace"`
	// Group is the entry's group.
	Group string `json:"group"`
	// DataID is the entry's data id; its extension names the format.
	DataID string `json:"data_id"`
	// Format is the entry's content type: yaml, properties, json or text.
	Format string `json:"format"`
	// LongPolling is how long the client waits for a change before asking
	// again (hot reload).
	LongPolling Duration `json:"long_polling"`
}
