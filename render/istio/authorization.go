package istio

import (
	"slices"
	"sort"
	"strings"

	security "istio.io/api/security/v1beta1"
	typev1beta1 "istio.io/api/type/v1beta1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govctl/govctl/schema"
)

// authorizationPolicy renders who may call the service: an ALLOW policy on
// the service's workloads (selector app=<service>) whose rules name exactly
// the callers derived from the spec, by their mTLS identity
// <trustDomain>/ns/<namespace>/sa/<caller>:
//
//   - every service that declares it under `dependencies` or names it as
//     its degradation fallback (see callersOf);
//   - for a public service, the ingress gateway's service account, and
//     only on the exposed paths (the same prefixes the VirtualService
//     routes from the gateway).
//
// Istio evaluates ALLOW policies as "allow a request if any rule matches,
// else deny" once at least one ALLOW policy selects a workload, and a
// policy without rules matches nothing. So a service that nobody calls and
// that is not public gets an ALLOW policy with no rules: every request to
// it is denied (Istio's documented "allow-nothing" policy), rather than no
// policy, which would allow every request. ALLOW is the action's default,
// so the written spec shows no `action`.
//
// Each caller is named by the service account its workloads run as: the
// one render/kubernetes renders (named after the service), or
// workload.serviceAccount for a workload govctl does not own. Callers reach
// the service over Istio mTLS (ISTIO_MUTUAL under STRICT, auto mTLS between
// sidecars under PERMISSIVE); a plaintext request has no principal and is
// denied.
// Kubelet probes are unaffected: Istio's sidecar answers them.
func (e *envRender) authorizationPolicy(svc *schema.Service) *securityv1.AuthorizationPolicy {
	var rules []*security.Rule
	var principals []string
	for _, c := range e.callers[svc.Name] {
		principals = append(principals, e.principal(e.ns, e.res.Services[c.name].ServiceAccount()))
	}
	if len(principals) > 0 {
		sort.Strings(principals)
		rules = append(rules, &security.Rule{
			From: []*security.Rule_From{{Source: &security.Source{Principals: principals}}},
		})
	}
	if svc.Exposure.Public {
		gw := e.res.Platform.Mesh.Gateway
		rules = append(rules, &security.Rule{
			From: []*security.Rule_From{{Source: &security.Source{
				Principals: []string{e.principal(gw.Namespace, gw.ServiceAccount)},
			}}},
			To: []*security.Rule_To{{Operation: &security.Operation{Paths: pathPrefixes(svc.Exposure.Paths)}}},
		})
	}
	return &securityv1.AuthorizationPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "security.istio.io/v1", Kind: "AuthorizationPolicy"},
		ObjectMeta: e.serviceMeta(svc, svc.Name),
		Spec: security.AuthorizationPolicy{
			Selector: &typev1beta1.WorkloadSelector{MatchLabels: map[string]string{LabelApp: svc.Name}},
			Action:   security.AuthorizationPolicy_ALLOW,
			Rules:    rules,
		},
	}
}

// pathPrefixes turns VirtualService URI prefixes into AuthorizationPolicy
// paths, where a trailing "*" is a prefix match.
func pathPrefixes(prefixes []string) []string {
	out := make([]string, 0, len(prefixes))
	for _, p := range prefixes {
		if !strings.HasSuffix(p, "*") {
			p += "*"
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return slices.Compact(out)
}
