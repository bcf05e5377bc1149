package istio

import (
	"math"

	"google.golang.org/protobuf/types/known/wrapperspb"
	security "istio.io/api/security/v1beta1"
	telemetry "istio.io/api/telemetry/v1alpha1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"
	telemetryv1 "istio.io/client-go/pkg/apis/telemetry/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// namespaceWide is the name Istio gives a namespace's own policy: an
// object named "default" without a selector applies to every workload of
// its namespace.
const namespaceWide = "default"

// peerAuthentication renders the namespace's mTLS mode from the
// environment's `mtls`: STRICT accepts only mutual-TLS traffic, PERMISSIVE
// accepts plaintext too (for workloads joining the mesh).
func (e *envRender) peerAuthentication() *securityv1.PeerAuthentication {
	mode := security.PeerAuthentication_MutualTLS_STRICT
	if e.env.MTLS == "PERMISSIVE" {
		mode = security.PeerAuthentication_MutualTLS_PERMISSIVE
	}
	return &securityv1.PeerAuthentication{
		TypeMeta:   metav1.TypeMeta{APIVersion: "security.istio.io/v1", Kind: "PeerAuthentication"},
		ObjectMeta: e.namespaceMeta(namespaceWide),
		Spec: security.PeerAuthentication{
			Mtls: &security.PeerAuthentication_MutualTLS{Mode: mode},
		},
	}
}

// telemetry renders the namespace's trace sampling: the platform's
// telemetry.tracing.sampling ratio as a percentage, reported to the
// provider telemetry.tracing.provider names. A Telemetry can only refer to
// a provider that MeshConfig defines (extensionProviders, where the
// collector's address is configured); one that names none uses
// defaultProviders.tracing, and with no default Istio sends no spans at
// all, whatever the sampling. The README shows the MeshConfig.
func (e *envRender) telemetry() *telemetryv1.Telemetry {
	// Round away the binary noise of ratio × 100 (0.07 × 100 is
	// 7.000000000000001).
	percent := math.Round(e.res.Platform.Telemetry.Tracing.Sampling*100*1e6) / 1e6
	tracing := &telemetry.Tracing{RandomSamplingPercentage: wrapperspb.Double(percent)}
	if name := e.res.Platform.Telemetry.Tracing.Provider; name != "" {
		tracing.Providers = []*telemetry.ProviderRef{{Name: name}}
	}
	return &telemetryv1.Telemetry{
		TypeMeta:   metav1.TypeMeta{APIVersion: "telemetry.istio.io/v1", Kind: "Telemetry"},
		ObjectMeta: e.namespaceMeta(namespaceWide),
		Spec: telemetry.Telemetry{
			Tracing: []*telemetry.Tracing{tracing},
		},
	}
}
