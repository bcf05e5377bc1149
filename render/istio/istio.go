// Package istio renders a platform's services into the Istio objects that
// route, secure and protect them in each environment's namespace.
//
// Every object is built from the real API types (istio.io/client-go objects
// whose Spec is an istio.io/api message), so field names, enums and
// durations are what Istio's own decoding expects; the render package writes
// them through their protobuf-aware JSON form.
//
// Per environment the renderer writes:
//
//	<env>/istio/namespace.yaml   PeerAuthentication "default", Telemetry "default"
//	<env>/istio/<service>.yaml   DestinationRule, VirtualService, (public services)
//	                             Gateway and public VirtualService, AuthorizationPolicy,
//	                             Sidecar and, for a local rate limit, EnvoyFilter
//
// A backing service (kind database, broker or cache) gets only its
// DestinationRule and AuthorizationPolicy: no HTTP routes, Sidecar or
// rate limit filter.
//
// A service named "namespace" shares namespace.yaml with the namespace
// objects; the file then holds both, each object still identified by its
// own kind and name.
//
// The DestinationRule comes before the VirtualService in a service's file so
// that, applied in order, a new subset exists before any route names it
// (Istio's make-before-break advice for changing subsets).
//
// The choices that Istio's semantics force, each documented in full where
// it is made:
//
//   - Retries and timeouts: a VirtualService is applied by the sidecar of
//     every caller of its host, so its retries would act for all callers
//     alike. Each caller's declared timeout and retries get their own
//     routes instead, selected by sourceLabels app=<caller>; the route
//     timeout is the caller's dependency timeout. Only one layer retries
//     (platform.mesh.retryOwner): with "app" every route disables the
//     sidecar's retries.
//   - Ports: every route matches and names the port (http or grpc) the
//     call was made to.
//   - Outlier detection: the breaker's error ratio over minRequests becomes
//     a run of max(5, ceil(minRequests × errorThreshold)) consecutive 5xx
//     errors, ejecting for the breaker's open timeout.
//   - Authorization: an ALLOW policy naming exactly the callers derived
//     from the spec; a service nobody may call gets an ALLOW policy without
//     rules, which Istio reads as "deny everything".
//   - Rate limits: only the `local` backend is rendered; a `redis` limit
//     needs a global rate limit service that the spec does not describe.
//
// The workloads carry Istio's canonical labels app=<service> and
// version=<version> and run under the service's account
// (Service.ServiceAccount): render/kubernetes renders them so, and a
// workload govctl does not own must be labelled likewise; selectors,
// subsets, sourceLabels and principals rely on it.
package istio

import (
	"context"
	"fmt"
	"path"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// Label keys govctl puts on every object it renders, so that a cluster's
// objects can be traced back to the service, environment and team.
const (
	LabelApp       = "app"
	LabelVersion   = "version"
	LabelService   = "govctl.io/service"
	LabelEnv       = "govctl.io/env"
	LabelOwner     = "govctl.io/owner"
	LabelManagedBy = "app.kubernetes.io/managed-by"
)

// managedBy is the value of LabelManagedBy.
const managedBy = "govctl"

// Subset names of a service's DestinationRule.
const (
	SubsetStable = "stable"
	SubsetCanary = "canary"
)

// clusterDomain is the Kubernetes DNS domain of services. It is the
// cluster's DNS suffix, unrelated to the mesh trust domain; Kubernetes'
// default is assumed, as the spec has no field for it.
const clusterDomain = "svc.cluster.local"

// Options tune a render.
type Options struct {
	// CanaryWeight, when set, is the share of traffic (0..100) that the
	// canary subset gets in every service whose canary is in progress, in
	// place of the environment's first canary step. A pipeline sets it to
	// render step k of a rollout (and 0 to roll back, 100 to finish).
	CanaryWeight *int
}

// Renderer renders the Istio target. The zero value renders each canary at
// its environment's first step.
type Renderer struct {
	Options Options
}

var _ render.Renderer = Renderer{}

// Target returns render.TargetIstio.
func (Renderer) Target() render.Target { return render.TargetIstio }

// Render returns, for each environment in envs (in the order given), the
// namespace objects followed by every service's objects, services sorted by
// name. A spec value that Istio cannot express is reported as a
// *diag.Diagnostic; all of them are returned together in a *diag.List.
func (r Renderer) Render(ctx context.Context, m *schema.Model, envs []string) ([]render.Object, error) {
	if w := r.Options.CanaryWeight; w != nil && (*w < 0 || *w > 100) {
		return nil, fmt.Errorf("render istio: canary weight %d is out of range: want 0 to 100", *w)
	}
	var objs []render.Object
	var errs errorList
	for _, env := range envs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := m.Resolve(env)
		if err != nil {
			return nil, fmt.Errorf("render istio: %w", err)
		}
		e := newEnvRender(m, res, r.Options)
		objs = append(objs, e.namespaceObjects()...)
		for _, name := range res.ServiceNames() {
			svcObjs, err := e.serviceObjects(res.Services[name])
			if err != nil {
				errs.add(err)
				continue
			}
			objs = append(objs, svcObjs...)
		}
	}
	if err := errs.err(m.Dir); err != nil {
		return nil, err
	}
	return objs, nil
}

// envRender holds what every object of one environment is derived from.
type envRender struct {
	model *schema.Model
	res   *schema.Resolved
	env   *schema.Environment
	ns    string
	opts  Options
	// callers maps a service to the services that call it, sorted by name.
	callers map[string][]caller
}

func newEnvRender(m *schema.Model, res *schema.Resolved, opts Options) *envRender {
	return &envRender{
		model:   m,
		res:     res,
		env:     res.Environment,
		ns:      res.Environment.Namespace,
		opts:    opts,
		callers: callersOf(res),
	}
}

// host is the cluster-local name of a service in the environment's
// namespace.
func (e *envRender) host(service string) string {
	return service + "." + e.ns + "." + clusterDomain
}

// principal is the SPIFFE identity (without the spiffe:// scheme, as
// AuthorizationPolicy wants it) of a workload running under a service
// account.
func (e *envRender) principal(namespace, serviceAccount string) string {
	return e.res.Platform.Mesh.TrustDomain + "/ns/" + namespace + "/sa/" + serviceAccount
}

// serviceObjects renders one service's file, in a fixed kind order.
func (e *envRender) serviceObjects(svc *schema.Service) ([]render.Object, error) {
	if err := e.checkLabels(svc); err != nil {
		return nil, err
	}
	plan, err := e.planRollout(svc)
	if err != nil {
		return nil, err
	}
	dr, err := e.destinationRule(svc, plan)
	if err != nil {
		return nil, err
	}
	values := []render.APIObject{dr}
	if svc.IsApp() {
		vs, err := e.virtualService(svc, plan)
		if err != nil {
			return nil, err
		}
		values = append(values, vs)
		if svc.Exposure.Public {
			public, err := e.publicVirtualService(svc, plan)
			if err != nil {
				return nil, err
			}
			gw, err := e.gateway(svc)
			if err != nil {
				return nil, err
			}
			values = append(values, gw, public)
		}
	}
	values = append(values, e.authorizationPolicy(svc))
	if svc.IsApp() {
		values = append(values, e.sidecar(svc))
		ef, err := e.rateLimitFilter(svc)
		if err != nil {
			return nil, err
		}
		if ef != nil {
			values = append(values, ef)
		}
	}
	objs := make([]render.Object, 0, len(values))
	for _, v := range values {
		objs = append(objs, e.object(svc.Name, svc.Source, path.Join(e.env.Name, "istio", svc.Name+".yaml"), v))
	}
	return objs, nil
}

// namespaceObjects renders the environment's namespace-wide file.
func (e *envRender) namespaceObjects() []render.Object {
	file := path.Join(e.env.Name, "istio", "namespace.yaml")
	objs := []render.Object{
		e.object("", e.env.Pos.File, file, e.peerAuthentication()),
		e.object("", e.env.Pos.File, file, e.telemetry()),
	}
	for _, se := range e.serviceEntries() {
		objs = append(objs, e.object("", se.source, path.Join(e.env.Name, "istio", "externals.yaml"), se.entry))
	}
	return objs
}

// object wraps an API object as a render.Object, identified by its
// apiVersion, kind, namespace and name.
func (e *envRender) object(service, source, file string, v render.APIObject) render.Object {
	return render.NewAPIObject(render.TargetIstio, e.env.Name, service, source, file, v)
}

// serviceMeta is the metadata of a per-service object.
func (e *envRender) serviceMeta(svc *schema.Service, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:      name,
		Namespace: e.ns,
		Labels: map[string]string{
			LabelApp:       svc.Name,
			LabelVersion:   svc.Version,
			LabelService:   svc.Name,
			LabelEnv:       e.env.Name,
			LabelOwner:     svc.Owner,
			LabelManagedBy: managedBy,
		},
	}
}

// namespaceMeta is the metadata of a namespace-wide object: it belongs to no
// service, so it carries only the environment and manager labels.
func (e *envRender) namespaceMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:      name,
		Namespace: e.ns,
		Labels: map[string]string{
			LabelEnv:       e.env.Name,
			LabelManagedBy: managedBy,
		},
	}
}

// LabelValueProblem says, in the spec's words, why value (of a spec field;
// the diagnostic names its path) cannot be a Kubernetes label value, or
// returns "" when it can; apimachinery's IsValidLabelValue
// decides. Every renderer that puts a spec value into a label reports it
// with these words, so that one mistake is one diagnostic however many
// targets refuse it.
func LabelValueProblem(value string) string {
	if len(validation.IsValidLabelValue(value)) == 0 {
		return ""
	}
	return fmt.Sprintf("%q cannot be a Kubernetes label value: use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", value)
}

// checkLabels reports spec values that cannot be Kubernetes label values:
// the schema admits owners such as "acme/sre" and versions of up to 128
// characters, but labels and DestinationRule subsets need label syntax.
func (e *envRender) checkLabels(svc *schema.Service) error {
	for _, f := range []struct{ field, value string }{
		{"version", svc.Version},
		{"traffic.stableVersion", svc.Traffic.StableVersion},
		{"owner", svc.Owner},
	} {
		if f.value == "" && f.field == "traffic.stableVersion" {
			continue
		}
		if msg := LabelValueProblem(f.value); msg != "" {
			return e.errorf(svc, f.field, "%s", msg)
		}
	}
	return nil
}
