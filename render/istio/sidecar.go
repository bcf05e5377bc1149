package istio

import (
	networking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govctl/govctl/schema"
)

// sidecar renders the service's Sidecar: its proxy is told only about the
// services it calls (its dependencies and its degradation fallback, each as
// ./<service>.<namespace>.svc.cluster.local) and the control plane's
// namespace (istio-system/*).
//
// A Sidecar scopes configuration, it does not enforce: it keeps each
// proxy's configuration (memory, push time) proportional to what the
// service calls. The callee's AuthorizationPolicy is what refuses an
// undeclared call. The Sidecar sets no outboundTrafficPolicy, so calls to
// hosts outside the mesh (a payment provider, the registry, the config
// centre, the tracing collector) follow the mesh-wide policy; with
// REGISTRY_ONLY those hosts need ServiceEntries, which the spec does not
// describe.
func (e *envRender) sidecar(svc *schema.Service) *networkingv1.Sidecar {
	callees := calleesOf(svc)
	hosts := make([]string, 0, len(callees)+1)
	for _, dep := range callees {
		hosts = append(hosts, "./"+e.host(dep))
	}
	hosts = append(hosts, "istio-system/*")
	return &networkingv1.Sidecar{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "Sidecar"},
		ObjectMeta: e.serviceMeta(svc, svc.Name),
		Spec: networking.Sidecar{
			WorkloadSelector: &networking.WorkloadSelector{Labels: map[string]string{LabelApp: svc.Name}},
			Egress:           []*networking.IstioEgressListener{{Hosts: hosts}},
		},
	}
}
