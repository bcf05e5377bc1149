package istio

import (
	"fmt"
	"math"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	networking "istio.io/api/networking/v1alpha3"
	networkingv1alpha3 "istio.io/client-go/pkg/apis/networking/v1alpha3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govctl/govctl/schema"
)

// Envoy's names for the local rate limit filter and its configuration.
const (
	localRateLimitFilter  = "envoy.filters.http.local_ratelimit"
	localRateLimitTypeURL = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"
	httpConnectionManager = "envoy.filters.network.http_connection_manager"
	routerFilter          = "envoy.filters.http.router"
)

// minFillInterval is the shortest token bucket fill interval Envoy's local
// rate limit accepts ("fill_interval must be >= 50ms").
const minFillInterval = 50 * time.Millisecond

// rateLimitFilter renders the service's `local` rate limit as an
// EnvoyFilter that inserts Envoy's HTTP local rate limit filter into the
// inbound HTTP filter chain of the service's sidecars (SIDECAR_INBOUND), as
// Istio's local rate limit task does. Requests over the limit get 429 and
// the x-local-rate-limit response header.
//
// The filter's typed_config names the LocalRateLimit type directly
// ("@type": ...local_ratelimit.v3.LocalRateLimit, as Envoy's own examples
// do) rather than wrapping it in a udpa TypedStruct as the Istio task does:
// istiod accepts both, but only the direct form lets Istio's validation
// decode and check the fields of the rate limit.
//
// The filter goes just before the router, after Istio's authentication and
// authorization filters, so that requests the AuthorizationPolicy refuses
// do not spend tokens. Envoy keeps one bucket per instance (sidecar) and per
// inbound filter chain: the limit holds for each replica and for each of
// its HTTP and gRPC ports.
//
// A `redis` rate limit is not rendered. It is one limit shared by all
// replicas; in Envoy that takes the global rate limit filter calling an
// external rate limit service (envoyproxy/ratelimit, backed by Redis),
// whose address, domain and descriptors the spec does not describe.
// Rendering a local filter instead would enforce a different limit (rps per
// replica), so the service's own middleware remains what enforces it.
//
// It returns nil for a service without a local limit.
func (e *envRender) rateLimitFilter(svc *schema.Service) (*networkingv1alpha3.EnvoyFilter, error) {
	rl := svc.Resilience.RateLimit
	if rl == nil || rl.Backend != "local" {
		return nil, nil
	}
	b, err := e.tokenBucket(svc, rl)
	if err != nil {
		return nil, err
	}
	value, err := structpb.NewStruct(map[string]any{
		"name": localRateLimitFilter,
		"typed_config": map[string]any{
			"@type":       localRateLimitTypeURL,
			"stat_prefix": "http_local_rate_limiter",
			"token_bucket": map[string]any{
				"max_tokens":      b.maxTokens,
				"tokens_per_fill": b.tokensPerFill,
				"fill_interval":   protoJSONDuration(b.fillInterval),
			},
			// Envoy's runtime flags default to off for a filter configured
			// without them: enable and enforce for 100 % of requests.
			"filter_enabled":  runtimeFraction("local_rate_limit_enabled"),
			"filter_enforced": runtimeFraction("local_rate_limit_enforced"),
			// A gRPC call over the limit answers RESOURCE_EXHAUSTED rather
			// than Envoy's default UNAVAILABLE, which retry policies
			// (Istio's default retryOn, gRPC clients) treat as transient
			// and retry, multiplying the load the limit sheds.
			"rate_limited_as_resource_exhausted": true,
			"response_headers_to_add": []any{map[string]any{
				"append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
				"header":        map[string]any{"key": "x-local-rate-limit", "value": "true"},
			}},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("render istio for %s/%s: local rate limit filter: %w", svc.Name, e.env.Name, err)
	}
	return &networkingv1alpha3.EnvoyFilter{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1alpha3", Kind: "EnvoyFilter"},
		ObjectMeta: e.serviceMeta(svc, svc.Name+"-local-ratelimit"),
		Spec: networking.EnvoyFilter{
			// INSERT_BEFORE is relative to the router filter: a priority
			// orders this patch after the default-priority (0) filters of
			// the mesh, whose own inserts would otherwise race with it
			// (Istio's IST0151).
			Priority:         rateLimitFilterPriority,
			WorkloadSelector: &networking.WorkloadSelector{Labels: map[string]string{LabelApp: svc.Name}},
			ConfigPatches: []*networking.EnvoyFilter_EnvoyConfigObjectPatch{{
				ApplyTo: networking.EnvoyFilter_HTTP_FILTER,
				Match: &networking.EnvoyFilter_EnvoyConfigObjectMatch{
					Context: networking.EnvoyFilter_SIDECAR_INBOUND,
					ObjectTypes: &networking.EnvoyFilter_EnvoyConfigObjectMatch_Listener{
						Listener: &networking.EnvoyFilter_ListenerMatch{
							FilterChain: &networking.EnvoyFilter_ListenerMatch_FilterChainMatch{
								Filter: &networking.EnvoyFilter_ListenerMatch_FilterMatch{
									Name:      httpConnectionManager,
									SubFilter: &networking.EnvoyFilter_ListenerMatch_SubFilterMatch{Name: routerFilter},
								},
							},
						},
					},
				},
				Patch: &networking.EnvoyFilter_Patch{
					Operation: networking.EnvoyFilter_Patch_INSERT_BEFORE,
					Value:     value,
				},
			}},
		},
	}, nil
}

// rateLimitFilterPriority is the EnvoyFilter priority of the local rate
// limit patch: after every EnvoyFilter of the default priority 0.
const rateLimitFilterPriority = 10

func runtimeFraction(key string) map[string]any {
	return map[string]any{
		"runtime_key":   key,
		"default_value": map[string]any{"numerator": 100, "denominator": "HUNDRED"},
	}
}

// bucket is an Envoy token bucket: it holds at most maxTokens and gains
// tokensPerFill every fillInterval; each request takes one token.
type bucket struct {
	maxTokens     int
	tokensPerFill int
	fillInterval  time.Duration
}

// tokenBucket maps rps and burst to an Envoy token bucket whose capacity is
// burst and whose sustained rate is rps.
//
// With burst >= rps that is max_tokens = burst, tokens_per_fill = rps,
// fill_interval = 1s. With burst < rps it is not: a bucket of burst tokens
// refilled once a second admits at most burst requests a second, whatever
// rps says. The bucket is then refilled in smaller, more frequent steps,
// t tokens every t/rps seconds, with t <= burst: the largest t that makes
// the interval a whole number of milliseconds, or, when none does, t = burst
// and the interval rounded to the millisecond (at most 1 % off rps, as the
// interval is at least 50ms). A burst below rps/20 cannot be expressed:
// Envoy refills at most every 50ms.
//
// A leaky bucket used as a meter admits exactly the requests a token bucket
// of the same rate and capacity admits, so `leaky_bucket` renders the same
// bucket; Envoy rejects the excess (429) rather than queueing it.
func (e *envRender) tokenBucket(svc *schema.Service, rl *schema.RateLimit) (bucket, error) {
	if rl.RPS <= 0 || rl.Burst <= 0 {
		return bucket{}, e.errorf(svc, "resilience.rateLimit", "a local rate limit needs rps and burst above 0 (rps %d, burst %d)", rl.RPS, rl.Burst)
	}
	if rl.Burst >= rl.RPS {
		return bucket{maxTokens: rl.Burst, tokensPerFill: rl.RPS, fillInterval: time.Second}, nil
	}
	minTokens := int(math.Ceil(float64(rl.RPS) * minFillInterval.Seconds()))
	if rl.Burst < minTokens {
		return bucket{}, e.errorf(svc, "resilience.rateLimit.burst",
			"burst %d is too small for rps %d: Envoy refills its token bucket at most every %s, so the bucket must hold at least %d tokens (rps/20); raise burst to %d or more",
			rl.Burst, rl.RPS, minFillInterval, minTokens, minTokens)
	}
	for t := rl.Burst; t >= minTokens; t-- {
		if t*1000%rl.RPS == 0 {
			return bucket{maxTokens: rl.Burst, tokensPerFill: t, fillInterval: time.Duration(t*1000/rl.RPS) * time.Millisecond}, nil
		}
	}
	ms := int(math.Round(float64(rl.Burst) * 1000 / float64(rl.RPS)))
	return bucket{maxTokens: rl.Burst, tokensPerFill: rl.Burst, fillInterval: time.Duration(ms) * time.Millisecond}, nil
}

// protoJSONDuration formats d as the protobuf JSON form of a Duration
// ("1s", "0.250s"), which Envoy's configuration requires: Go's "250ms" is
// not accepted there.
func protoJSONDuration(d time.Duration) string {
	ms := d.Milliseconds()
	if ms%1000 == 0 {
		return fmt.Sprintf("%ds", ms/1000)
	}
	return fmt.Sprintf("%d.%03ds", ms/1000, ms%1000)
}
