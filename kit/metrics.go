package kit

import (
	"context"
	stderrors "errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kratos/kratos/v2/errors"
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/go-kratos/kratos/v2/transport"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/govctl/govctl/render/kratos/conf"
)

// meshLabels are the labels of kit's request metrics: the names of Istio's
// standard metrics (istio_requests_total, istio_request_duration_milliseconds),
// filled with the same values the sidecar reports, so that an app series
// joins the mesh's on them (by destination_service_name and response_code,
// say) and a dashboard shows both side by side.
var meshLabels = []string{
	"reporter",
	"source_workload", "source_workload_namespace", "source_app", "source_version",
	"destination_workload", "destination_workload_namespace", "destination_app", "destination_version",
	"destination_service", "destination_service_name", "destination_service_namespace",
	"request_protocol", "response_code", "grpc_response_status",
}

// Istio's default buckets of istio_request_duration_milliseconds.
var meshDurationBuckets = []float64{0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000}

// The request headers through which a kit client tells the server who is
// calling, so that the server's series carry source_* as the sidecar's do.
const (
	headerSourceWorkload  = "x-kit-source-workload"
	headerSourceNamespace = "x-kit-source-namespace"
	headerSourceVersion   = "x-kit-source-version"
)

// unknown is the value Istio gives a label it cannot fill.
const unknown = "unknown"

// metrics is kit's collectors in one registry.
type metrics struct {
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	breakerState *prometheus.GaugeVec
	level        *prometheus.GaugeVec
	rlRemaining  *prometheus.GaugeVec
	rlReset      *prometheus.GaugeVec
	rlRejected   *prometheus.CounterVec
	rlErrors     *prometheus.CounterVec
	degraded     *prometheus.CounterVec
	fallbacks    *prometheus.CounterVec
}

// newMetrics registers kit's collectors with r, reusing those a chain built
// earlier with the same registry registered.
func newMetrics(r prometheus.Registerer) *metrics {
	return &metrics{
		requests: register(r, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kit_requests_total",
			Help: "Requests served (reporter=destination) and calls made (reporter=source), labelled as istio_requests_total.",
		}, meshLabels)),
		duration: register(r, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kit_request_duration_milliseconds",
			Help:    "Request duration in milliseconds, labelled and bucketed as istio_request_duration_milliseconds.",
			Buckets: meshDurationBuckets,
		}, meshLabels)),
		breakerState: register(r, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kit_circuit_breaker_state",
			Help: "State of the breaker in front of a dependency: 0 closed, 1 half-open, 2 open.",
		}, []string{"source_workload", "destination_service_name"})),
		level: register(r, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kit_degradation_level",
			Help: "Degradation level of the service: 0 NORMAL, 1 WARN, 2 DEGRADED, 3 FATAL.",
		}, []string{"destination_service_name", "destination_service_namespace"})),
		rlRemaining: register(r, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kit_ratelimit_remaining",
			Help: "Requests the rate-limit bucket admits right now (tokens left; for a leaky bucket, queue room left), as of the last request.",
		}, []string{"destination_service_name", "algorithm", "backend"})),
		rlReset: register(r, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kit_ratelimit_reset_seconds",
			Help: "Seconds until the rate-limit bucket is full (token bucket) or empty (leaky bucket) again, as of the last request.",
		}, []string{"destination_service_name", "algorithm", "backend"})),
		rlRejected: register(r, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kit_ratelimit_rejected_total",
			Help: "Requests rejected with RATELIMIT.",
		}, []string{"destination_service_name", "algorithm", "backend"})),
		rlErrors: register(r, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kit_ratelimit_backend_errors_total",
			Help: "Requests admitted without a decision because the rate-limit bucket (Redis) did not answer.",
		}, []string{"destination_service_name", "algorithm", "backend"})),
		degraded: register(r, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kit_dependency_degraded_total",
			Help: "Calls to an optional dependency that failed or were skipped, and were degraded around instead of failing the request.",
		}, []string{"source_workload", "destination_service_name", "cause"})),
		fallbacks: register(r, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kit_fallback_total",
			Help: "Requests answered by the fallback, by where (server: the service's fallback_to; client: a dependency's) and outcome.",
		}, []string{"source_workload", "where", "outcome"})),
	}
}

func register[C prometheus.Collector](r prometheus.Registerer, c C) C {
	if err := r.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if stderrors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		// Only a different collector under one of kit's names gets here:
		// a programming error of the process, not a runtime condition.
		panic("kit: register metrics: " + err.Error())
	}
	return c
}

// peer is one end of a request as the mesh labels it.
type peer struct {
	workload, namespace, app, version string
}

func self(bc *conf.Bootstrap) peer {
	return peer{workload: bc.Service.Name, namespace: orUnknown(bc.Service.Namespace), app: bc.Service.Name, version: orUnknown(bc.Service.Version)}
}

func orUnknown(s string) string {
	if s == "" {
		return unknown
	}
	return s
}

// serviceFQDN is destination_service as Istio fills it: the Kubernetes
// service's cluster DNS name.
func serviceFQDN(name, namespace string) string {
	if namespace == unknown {
		return name
	}
	return name + "." + namespace + ".svc.cluster.local"
}

// requestMetrics is the "metrics" step: reporter=destination on the
// server, reporter=source on a client.
func requestMetrics(m *metrics, reporter string, fixed func(ctx context.Context) (src, dst peer)) middleware.Middleware {
	var series sync.Map // seriesKey → requestSeries
	var count atomic.Int64
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			start := time.Now()
			reply, err := next(ctx, req)
			src, dst := fixed(ctx)
			protocol := unknown
			var tr transport.Transporter
			var ok bool
			if reporter == "destination" {
				tr, ok = transport.FromServerContext(ctx)
			} else {
				tr, ok = transport.FromClientContext(ctx)
			}
			if ok {
				protocol = tr.Kind().String()
			}
			code, grpcStatus := responseCode(err, protocol)
			key := seriesKey{src, dst, protocol, code, grpcStatus}
			s, ok := series.Load(key)
			if !ok && count.Load() >= maxSeries {
				// The source comes from request headers a caller could
				// invent; past the cap new callers are "unknown".
				key.src = peer{workload: unknown, namespace: unknown, app: unknown, version: unknown}
				s, ok = series.Load(key)
			}
			if !ok {
				count.Add(1)
				values := []string{
					reporter,
					src.workload, src.namespace, src.app, src.version,
					dst.workload, dst.namespace, dst.app, dst.version,
					serviceFQDN(dst.app, dst.namespace), dst.app, dst.namespace,
					protocol, code, grpcStatus,
				}
				s, _ = series.LoadOrStore(key, requestSeries{m.requests.WithLabelValues(values...), m.duration.WithLabelValues(values...)})
			}
			rs := s.(requestSeries)
			rs.count.Inc()
			rs.duration.Observe(float64(time.Since(start).Microseconds()) / 1000)
			return reply, err
		}
	}
}

// seriesKey is what varies between a chain's request series. The chain
// keeps each series it has used, so that a call finds its counter and
// histogram by one map lookup instead of hashing fifteen label values
// twice (BenchmarkServerChain: about 1.5µs less per call).
type seriesKey struct {
	src, dst                     peer
	protocol, code, grpcResponse string
}

// maxSeries caps the request series of one chain.
const maxSeries = 1024

type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// responseCode is response_code and grpc_response_status as Envoy reports
// them: the HTTP status (200 for a gRPC call, which rides on HTTP/2 200),
// and the gRPC status number for gRPC only.
func responseCode(err error, protocol string) (string, string) {
	if protocol == "grpc" {
		if err == nil {
			return "200", "0"
		}
		return "200", strconv.Itoa(int(errors.FromError(err).GRPCStatus().Code()))
	}
	grpcStatus := ""
	if err == nil {
		return "200", grpcStatus
	}
	if stderrors.Is(err, context.DeadlineExceeded) {
		return "504", grpcStatus
	}
	return strconv.Itoa(int(errors.FromError(err).Code)), grpcStatus
}

// sourceFromHeaders is the caller as a kit client announced it.
func sourceFromHeaders(ctx context.Context) peer {
	p := peer{workload: unknown, namespace: unknown, app: unknown, version: unknown}
	tr, ok := transport.FromServerContext(ctx)
	if !ok {
		return p
	}
	h := tr.RequestHeader()
	if v := h.Get(headerSourceWorkload); v != "" {
		p.workload, p.app = v, v
	}
	if v := h.Get(headerSourceNamespace); v != "" {
		p.namespace = v
	}
	if v := h.Get(headerSourceVersion); v != "" {
		p.version = v
	}
	return p
}

// dependencyPeer is the destination of calls to dep: its namespace from the
// cluster DNS name in the endpoint, or the caller's own.
func dependencyPeer(bc *conf.Bootstrap, dep string) peer {
	ns := orUnknown(bc.Service.Namespace)
	if c, ok := bc.Clients[dep]; ok {
		host := c.Endpoint
		if _, rest, found := strings.Cut(host, ":///"); found {
			host = rest
		}
		if name, rest, found := strings.Cut(host, "."); found && name == dep {
			if n, _, found := strings.Cut(rest, "."); found && strings.Contains(rest, ".svc") {
				ns = n
			}
		}
	}
	return peer{workload: dep, namespace: ns, app: dep, version: unknown}
}
