package istio

import (
	"net"
	"slices"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govctl/govctl/schema"
)

// sidecar renders the service's Sidecar: its proxy is told only about the
// services it calls (its dependencies and its degradation fallback, each as
// ./<service>.<namespace>.svc.cluster.local) and the control plane's
// namespace (istio-system/*), and the platform's own infrastructure that
// every service reaches: the registry, the config centre and the trace
// collector (their addresses as egress hosts, see infraHost).
//
// A Sidecar scopes configuration, it does not enforce: it keeps each
// proxy's configuration (memory, push time) proportional to what the
// service calls. The callee's AuthorizationPolicy is what refuses an
// undeclared call. The Sidecar sets no outboundTrafficPolicy, so calls to
// hosts outside the mesh (a payment provider, the registry, the config
// centre, the tracing collector outside the cluster) follow the mesh-wide
// policy.
func (e *envRender) sidecar(svc *schema.Service) *networkingv1.Sidecar {
	callees := calleesOf(svc)
	hosts := make([]string, 0, len(callees)+1)
	for _, dep := range callees {
		if ext := e.res.External(dep); ext != nil {
			// The environment's ServiceEntry for it (serviceEntries).
			hosts = append(hosts, "./"+ext.Host)
			continue
		}
		hosts = append(hosts, "./"+e.host(dep))
	}
	p := e.res.Platform
	for _, addr := range []string{p.Registry.Address, p.ConfigCenter.Address, p.Telemetry.Tracing.Endpoint} {
		if h := e.infraHost(addr); h != "" && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
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

// infraHost is the Sidecar egress host of an address the platform names
// (host:port or host), read the way a pod's DNS resolves it: a bare name
// is a Service of the environment's namespace; "name.ns" and
// "name.ns.svc" are the Service name in namespace ns; a name under
// svc.cluster.local is taken as it is; anything else (a name outside the
// cluster, an IP) is a host of any namespace ("*/host"), which a
// ServiceEntry may declare. Empty for no address.
func (e *envRender) infraHost(addr string) string {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(host, "http://"), "https://"), "/")
	if host == "" {
		return ""
	}
	if net.ParseIP(host) != nil {
		return ""
	}
	labels := strings.Split(host, ".")
	switch {
	case len(labels) == 1:
		return "./" + e.host(host)
	case len(labels) == 2, len(labels) == 3 && labels[2] == "svc":
		return labels[1] + "/" + labels[0] + "." + labels[1] + "." + clusterDomain
	case strings.HasSuffix(host, "."+clusterDomain) && len(labels) == 5:
		return labels[1] + "/" + host
	}
	return "*/" + host
}
