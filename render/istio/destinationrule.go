package istio

import (
	"math"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	networking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govctl/govctl/schema"
)

// destinationRule renders the service's subsets and the policy every
// caller's sidecar applies to it: TLS following the environment's mTLS
// mode, a connection pool limit derived from the rate limit (for a
// backing service, a TCP connection limit), and outlier detection derived
// from the circuit breaker.
//
// TLS: under STRICT the callers must present Istio certificates, so the
// rule says ISTIO_MUTUAL. Under PERMISSIVE it sets no TLS mode, leaving
// Istio's auto mTLS to choose per endpoint: mutual TLS to pods with a
// sidecar, plaintext to those without, which is what PERMISSIVE is for (a
// forced ISTIO_MUTUAL would fail every call to a pod not yet in the mesh).
func (e *envRender) destinationRule(svc *schema.Service, p rollout) (*networkingv1.DestinationRule, error) {
	subsets := []*networking.Subset{{
		Name:   SubsetStable,
		Labels: map[string]string{LabelVersion: p.stable},
	}}
	if p.canary != "" {
		subsets = append(subsets, &networking.Subset{
			Name:   SubsetCanary,
			Labels: map[string]string{LabelVersion: p.canary},
		})
	}
	outlier, err := e.outlierDetection(svc)
	if err != nil {
		return nil, err
	}
	return &networkingv1.DestinationRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "DestinationRule"},
		ObjectMeta: e.serviceMeta(svc, svc.Name),
		Spec: networking.DestinationRule{
			Host: e.host(svc.Name),
			TrafficPolicy: &networking.TrafficPolicy{
				Tls:              e.clientTLS(),
				ConnectionPool:   connectionPool(svc),
				OutlierDetection: outlier,
			},
			Subsets: subsets,
		},
	}, nil
}

// clientTLS is the callers' TLS to a service of the environment (see
// destinationRule).
func (e *envRender) clientTLS() *networking.ClientTLSSettings {
	if e.env.MTLS == "PERMISSIVE" {
		return nil
	}
	return &networking.ClientTLSSettings{Mode: networking.ClientTLSSettings_ISTIO_MUTUAL}
}

// connectionPool caps the requests one caller's sidecar keeps in flight to
// the service at what the service can accept within its own deadline:
//
//	http2MaxRequests = ceil(rate × timeout) + bucket
//
// where rate and bucket are the service-wide admitted rate and burst: rps
// and burst times replicas for a `local` limit (Envoy enforces it per
// instance), rps and burst as written for a `redis` limit (one global
// bucket). Requests beyond that would be rate limited or outlive the
// deadline anyway, so the caller's sidecar fails them fast (503, overflow)
// instead of queueing them onto an overloaded service. Envoy keeps this
// limit per caller and per subset cluster, so under legitimate load it never
// binds. A service without a rate limit, or scaled to zero, keeps Istio's
// defaults (no limit).
//
// A backing service's pool is its maxConnections TCP connections per
// caller sidecar.
func connectionPool(svc *schema.Service) *networking.ConnectionPoolSettings {
	if !svc.IsApp() {
		if svc.MaxConnections <= 0 {
			return nil
		}
		return &networking.ConnectionPoolSettings{Tcp: &networking.ConnectionPoolSettings_TCPSettings{MaxConnections: int32(svc.MaxConnections)}}
	}
	rl := svc.Resilience.RateLimit
	if rl == nil || rl.RPS <= 0 {
		return nil
	}
	rate, bucket := float64(rl.RPS), float64(rl.Burst)
	if rl.Backend != "redis" {
		if svc.Replicas <= 0 {
			return nil
		}
		rate *= float64(svc.Replicas)
		bucket *= float64(svc.Replicas)
	}
	limit := math.Ceil(rate*svc.Timeout.D().Seconds()-1e-9) + bucket
	if limit > math.MaxInt32 {
		limit = math.MaxInt32
	}
	return &networking.ConnectionPoolSettings{
		Http: &networking.ConnectionPoolSettings_HTTPSettings{Http2MaxRequests: int32(limit)},
	}
}

// outlierDetection translates the circuit breaker into Envoy's outlier
// detection, which ejects a failing instance from every caller's load
// balancing pool for a while:
//
//   - consecutive5xxErrors = max(5, ceil(minRequests × errorThreshold)).
//     The breaker opens when at least errorThreshold of at least minRequests
//     requests fail; Envoy counts runs of consecutive 5xx per instance. The
//     shortest run that reaches the threshold on its own over a window of
//     minRequests is errorThreshold × minRequests errors (100 × 5 % = 5), so
//     a run that long is the breaker's evidence, seen per instance. It is
//     never below 5, Envoy's default: a run of one or two errors (50 × 2 %
//     is 1) is noise, and ejecting a pod on it would let a single bad
//     request take an instance out of every caller's pool. The breaker
//     itself, with its ratio over minRequests, is the application's (kit).
//   - baseEjectionTime = the breaker's open timeout: how long an ejected
//     instance stays out before traffic probes it again (half-open). Envoy
//     multiplies it by the number of times the instance was ejected.
//   - interval = the shorter of the breaker's interval and its open timeout.
//     Envoy's interval is not a counting window (consecutive errors eject at
//     once) but the sweep that returns ejected instances, so a sweep longer
//     than the open timeout would keep an instance out long after the
//     breaker would have gone half-open.
//   - maxEjectionPercent = the breaker's, so that a bad deploy cannot eject
//     every instance.
//
// Without a circuit breaker the DestinationRule has no outlier detection.
func (e *envRender) outlierDetection(svc *schema.Service) (*networking.OutlierDetection, error) {
	cb := svc.Resilience.CircuitBreaker
	if cb == nil {
		return nil, nil
	}
	openFor, err := e.duration(svc, "resilience.circuitBreaker.timeout", cb.Timeout)
	if err != nil {
		return nil, err
	}
	window, err := e.duration(svc, "resilience.circuitBreaker.interval", cb.Interval)
	if err != nil {
		return nil, err
	}
	if openFor.AsDuration() < window.AsDuration() {
		window = openFor
	}
	return &networking.OutlierDetection{
		Consecutive_5XxErrors: wrapperspb.UInt32(consecutiveErrors(cb)),
		Interval:              window,
		BaseEjectionTime:      openFor,
		MaxEjectionPercent:    int32(cb.MaxEjectionPercent),
	}, nil
}

// consecutiveErrors is max(minConsecutiveErrors, ceil(minRequests ×
// errorThreshold)), with the product rounded first so that 100 × 0.05 is
// 5, not 6.
func consecutiveErrors(cb *schema.CircuitBreaker) uint32 {
	n := math.Ceil(math.Round(float64(cb.MinRequests)*cb.ErrorThreshold*1e6) / 1e6)
	if n < minConsecutiveErrors {
		n = minConsecutiveErrors
	}
	if n > math.MaxUint32 {
		n = math.MaxUint32
	}
	return uint32(n)
}

// minConsecutiveErrors is the fewest consecutive 5xx that eject a pod:
// Envoy's default for outlier detection.
const minConsecutiveErrors = 5

// duration converts a spec duration for an Istio field. Istio accepts only
// whole milliseconds of at least 1ms.
func (e *envRender) duration(svc *schema.Service, field string, d schema.Duration) (*durationpb.Duration, error) {
	v := d.D()
	if v < time.Millisecond || v%time.Millisecond != 0 {
		return nil, e.errorf(svc, field, "%q cannot be an Istio duration: Istio takes whole milliseconds of at least 1ms", string(d))
	}
	return durationpb.New(v), nil
}
