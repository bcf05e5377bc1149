package istio

import (
	"maps"
	"slices"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// renderedEntry is a ServiceEntry and the spec file that declares it.
type renderedEntry struct {
	entry  *networkingv1.ServiceEntry
	source string
}

// serviceEntries renders one ServiceEntry per external dependency of the
// platform, in the environment's namespace and visible only there
// (exportTo "."): the host, resolved by DNS, outside the mesh
// (MESH_EXTERNAL), on its port with its protocol. Callers' Sidecars list
// it as an egress host, so their proxies know it; with the mesh's
// outboundTrafficPolicy REGISTRY_ONLY it is what lets them reach it at
// all. The application originates TLS itself for "https" and "tls", so
// the port's protocol is TLS and the sidecar passes the connection
// through by SNI.
func (e *envRender) serviceEntries() []renderedEntry {
	m := e.res.Model()
	if m == nil {
		return nil
	}
	var out []renderedEntry
	for _, name := range slices.Sorted(maps.Keys(m.Externals)) {
		ext := m.Externals[name]
		proto := strings.ToUpper(ext.Protocol)
		if proto == "HTTPS" {
			proto = "TLS"
		}
		meta := e.namespaceMeta(name)
		out = append(out, renderedEntry{source: ext.Pos.File, entry: &networkingv1.ServiceEntry{
			TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "ServiceEntry"},
			ObjectMeta: meta,
			Spec: networking.ServiceEntry{
				Hosts:      []string{ext.Host},
				ExportTo:   []string{"."},
				Location:   networking.ServiceEntry_MESH_EXTERNAL,
				Resolution: networking.ServiceEntry_DNS,
				Ports: []*networking.ServicePort{{
					Number:   uint32(ext.Port),
					Name:     strings.ToLower(proto) + "-" + name,
					Protocol: proto,
				}},
			},
		}})
	}
	return out
}
