package istio

import (
	"strings"

	networking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govctl/govctl/schema"
)

// gateway renders the Gateway of a public service: the ingress gateway's
// servers for the service's public hosts, which its public VirtualService
// binds. The ingress gateway pods are selected by istio=<name> where
// platform.mesh.gateway.name is <namespace>/istio-<name> (istioctl's and
// the gateway Helm chart's label; "istio-ingressgateway" gives
// istio=ingressgateway).
//
// With exposure.tls.credentialName the hosts are served over HTTPS on
// port 443 with that Secret's certificate (the Secret lives in the
// ingress gateway's namespace, where the gateway reads it), and port 80
// redirects to HTTPS; without it, port 80 serves plain HTTP.
func (e *envRender) gateway(svc *schema.Service) (*networkingv1.Gateway, error) {
	gwName := e.res.Platform.Mesh.Gateway.Name
	if i := strings.LastIndexByte(gwName, '/'); i >= 0 {
		gwName = gwName[i+1:]
	}
	selector := map[string]string{"istio": strings.TrimPrefix(gwName, "istio-")}
	hosts, err := e.exposedHosts(svc)
	if err != nil {
		return nil, err
	}
	http := &networking.Server{
		Port:  &networking.Port{Number: 80, Name: "http", Protocol: "HTTP"},
		Hosts: hosts,
	}
	servers := []*networking.Server{http}
	if tls := svc.Exposure.TLS; tls != nil {
		http.Tls = &networking.ServerTLSSettings{HttpsRedirect: true}
		servers = append(servers, &networking.Server{
			Port:  &networking.Port{Number: 443, Name: "https", Protocol: "HTTPS"},
			Hosts: append([]string(nil), hosts...),
			Tls: &networking.ServerTLSSettings{
				Mode:           networking.ServerTLSSettings_SIMPLE,
				CredentialName: tls.CredentialName,
			},
		})
	}
	return &networkingv1.Gateway{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "Gateway"},
		ObjectMeta: e.serviceMeta(svc, publicName(svc)),
		Spec: networking.Gateway{
			Selector: selector,
			Servers:  servers,
		},
	}, nil
}
