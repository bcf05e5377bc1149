// Package kubernetes renders the workloads the mesh objects refer to, so
// that identities, subsets and ports agree by construction.
//
// Per environment the renderer writes:
//
//	<env>/kubernetes/namespace.yaml   Namespace (istio-injection: enabled)
//	<env>/kubernetes/<service>.yaml   ServiceAccount, ConfigMap, Service,
//	                                  Deployment(s), PodDisruptionBudget(s)
//
// For every service whose workload govctl owns (workload.managed, the
// default):
//
//   - ServiceAccount <service>: the identity the mesh's mTLS certificates
//     carry (cluster.local/ns/<ns>/sa/<service>) and AuthorizationPolicies
//     admit.
//   - ConfigMap <service>-config (applications only): the rendered Kratos
//     bootstrap as config.yaml, mounted at /data/conf, where a
//     kratos-layout service reads it (`-conf /data/conf`).
//   - Service <service>: selects app=<service>; an application's ports are
//     named http and grpc with appProtocol http and grpc (Istio's protocol
//     selection), a backing service's port is named and typed by its
//     protocol.
//   - Deployment <service> runs the stable version, and Deployment
//     <service>-canary the canary version while a rollout runs both side by
//     side in the environment (the model's decision, schema.Resolved.Rollout,
//     which the Istio subsets follow too). Pods carry app=<service> and version=<version>, the
//     labels the subsets, sourceLabels and Istio's telemetry use, and
//     govctl.io/track=stable|canary, which the Deployment's immutable
//     selector uses; run as the
//     service account, and are probed on the registry's health-check path
//     (a TCP probe for backing services). Both run `replicas` pods, so the
//     canary can take any step of the rollout, up to all the traffic.
//   - PodDisruptionBudget for each Deployment of two replicas or more,
//     allowing one pod at a time to be evicted.
//
// A service with workload.managed: false gets none of these: its existing
// Service and Deployment stay as they are, and the mesh objects name its
// workload.serviceAccount.
package kubernetes

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/istio"
	"github.com/govctl/govctl/render/kratos"
	"github.com/govctl/govctl/schema"
)

// Names and paths of what the renderer writes.
const (
	// configVolume is the volume and the ConfigMap key suffix of the
	// bootstrap.
	configVolume = "kratos-config"
	// ConfigMountPath is where a pod finds config.yaml.
	ConfigMountPath = "/data/conf"
	// InjectionLabel turns on Istio's sidecar injection for a namespace.
	InjectionLabel = "istio-injection"
	// LabelTrack tells a service's two Deployments apart: "stable" or
	// "canary", the subset they serve. Selectors use it rather than the
	// version label because a Deployment's selector cannot change, while
	// its version does with every release.
	LabelTrack = "govctl.io/track"
	// AnnotationConfigSum is the pod template's SHA-256 of the bootstrap.
	AnnotationConfigSum = "govctl.io/config-sha256"
)

// Renderer renders the Kubernetes target.
type Renderer struct{}

var _ render.Renderer = Renderer{}

// Target returns render.TargetKubernetes.
func (Renderer) Target() render.Target { return render.TargetKubernetes }

// Render returns, per environment in envs, the Namespace and then every
// service's objects, services sorted by name.
func (Renderer) Render(ctx context.Context, m *schema.Model, envs []string) ([]render.Object, error) {
	var objs []render.Object
	errs := &diag.List{Dir: m.Dir}
	for _, env := range envs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := m.Resolve(env)
		if err != nil {
			return nil, fmt.Errorf("render kubernetes for %s: %w", env, err)
		}
		e := &envRender{res: res, env: res.Environment, ns: res.Environment.Namespace}
		objs = append(objs, e.object("", e.env.Pos.File, path.Join(env, "kubernetes", "namespace.yaml"), e.namespace()))
		for _, name := range res.ServiceNames() {
			svc := res.Services[name]
			if !svc.Workload.Managed {
				continue
			}
			ro := res.Rollout(svc).Value
			if d := checkService(svc, ro.Stable, ro.Canary); d != nil {
				d.Environments = []string{env}
				errs.Add(d)
				continue
			}
			values, err := e.serviceObjects(svc)
			if err != nil {
				return nil, err
			}
			for _, v := range values {
				objs = append(objs, e.object(name, svc.Source, path.Join(env, "kubernetes", name+".yaml"), v))
			}
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return objs, nil
}

type envRender struct {
	res *schema.Resolved
	env *schema.Environment
	ns  string
}

func (e *envRender) object(service, source, file string, v render.APIObject) render.Object {
	return render.NewAPIObject(render.TargetKubernetes, e.env.Name, service, source, file, v)
}

func (e *envRender) namespace() *corev1.Namespace {
	return &corev1.Namespace{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{
			Name: e.ns,
			Labels: map[string]string{
				InjectionLabel:       "enabled",
				istio.LabelEnv:       e.env.Name,
				istio.LabelManagedBy: "govctl",
			},
		},
	}
}

// meta is the metadata of a service's object; version is empty for
// objects shared by its versions.
func (e *envRender) meta(svc *schema.Service, name, version string) metav1.ObjectMeta {
	labels := map[string]string{
		istio.LabelApp:       svc.Name,
		istio.LabelService:   svc.Name,
		istio.LabelEnv:       e.env.Name,
		istio.LabelOwner:     svc.Owner,
		istio.LabelManagedBy: "govctl",
	}
	if version != "" {
		labels[istio.LabelVersion] = version
	}
	return metav1.ObjectMeta{Name: name, Namespace: e.ns, Labels: labels}
}

// checkService reports spec values Kubernetes cannot take.
func checkService(svc *schema.Service, stable, canary string) *diag.Diagnostic {
	for _, f := range []struct {
		field fieldpath.Path
		value string
	}{
		{fieldpath.New("version"), svc.Version},
		{fieldpath.New("traffic", "stableVersion"), stable},
		{fieldpath.New("traffic", "stableVersion"), canary},
		{fieldpath.New("owner"), svc.Owner},
	} {
		if f.value == "" {
			continue
		}
		if msg := istio.LabelValueProblem(f.value); msg != "" {
			return &diag.Diagnostic{
				Pos:     svc.PosOf(f.field),
				Path:    append(fieldpath.New("services", svc.Name), f.field...),
				Message: msg,
			}
		}
	}
	return nil
}

func (e *envRender) serviceObjects(svc *schema.Service) ([]render.APIObject, error) {
	ro := e.res.Rollout(svc).Value
	stable, canary := ro.Stable, ro.Canary
	sa := &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: e.meta(svc, svc.ServiceAccount(), ""),
	}
	out := []render.APIObject{sa}
	var configSum string
	if svc.IsApp() {
		data, err := render.MarshalYAML(kratos.Bootstrap(e.res, svc))
		if err != nil {
			return nil, fmt.Errorf("render kubernetes for %s/%s: bootstrap: %w", e.env.Name, svc.Name, err)
		}
		sum := sha256.Sum256(data)
		configSum = hex.EncodeToString(sum[:])
		out = append(out, &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: e.meta(svc, ConfigMapName(svc.Name), ""),
			Data:       map[string]string{"config.yaml": string(data)},
		})
	}
	out = append(out, e.service(svc))
	versions := []track{{svc.Name, istio.SubsetStable, stable}}
	if canary != "" {
		versions = append(versions, track{svc.Name + "-" + istio.SubsetCanary, istio.SubsetCanary, canary})
	}
	for _, v := range versions {
		out = append(out, e.deployment(svc, v, configSum))
	}
	for _, v := range versions {
		if svc.Replicas >= 2 {
			out = append(out, e.disruptionBudget(svc, v))
		}
	}
	return out, nil
}

// track is one Deployment of a service: its name, subset and version.
type track struct{ name, subset, version string }

// selector selects the pods of one track.
func (t track) selector(svc *schema.Service) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{istio.LabelApp: svc.Name, LabelTrack: t.subset}}
}

// ConfigMapName is the name of the ConfigMap holding a service's bootstrap.
func ConfigMapName(service string) string { return service + "-config" }

// ServicePorts are the ports a service serves, named for Istio's protocol
// selection: http and grpc for an application, the protocol for a backing
// service.
func ServicePorts(svc *schema.Service) []corev1.ServicePort {
	port := func(name string, n int) corev1.ServicePort {
		proto := name
		return corev1.ServicePort{
			Name:        name,
			Port:        int32(n),
			TargetPort:  intstr.FromString(name),
			Protocol:    corev1.ProtocolTCP,
			AppProtocol: &proto,
		}
	}
	if !svc.IsApp() {
		return []corev1.ServicePort{port(svc.Protocol, svc.Port)}
	}
	return []corev1.ServicePort{port("http", svc.Ports.HTTP), port("grpc", svc.Ports.GRPC)}
}

func (e *envRender) service(svc *schema.Service) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: e.meta(svc, svc.Name, ""),
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{istio.LabelApp: svc.Name},
			Ports:    ServicePorts(svc),
		},
	}
}

// deployment renders one track's Deployment. configSum, the SHA-256 of the
// bootstrap, is a pod template annotation: a changed bootstrap changes the
// template, so the pods restart and read it (Kratos reads its bootstrap at
// start).
func (e *envRender) deployment(svc *schema.Service, t track, configSum string) *appsv1.Deployment {
	version := t.version
	podLabels := map[string]string{istio.LabelApp: svc.Name, istio.LabelVersion: version, LabelTrack: t.subset, istio.LabelService: svc.Name, istio.LabelEnv: e.env.Name}
	replicas := int32(svc.Replicas)
	container := corev1.Container{
		Name:  svc.Name,
		Image: svc.Image + ":" + version,
	}
	for _, p := range ServicePorts(svc) {
		container.Ports = append(container.Ports, corev1.ContainerPort{Name: p.Name, ContainerPort: p.Port, Protocol: corev1.ProtocolTCP})
	}
	hc := e.res.Platform.Registry.HealthCheck
	probe := &corev1.Probe{
		PeriodSeconds:  seconds(hc.Interval),
		TimeoutSeconds: seconds(hc.Timeout),
	}
	if svc.IsApp() {
		probe.HTTPGet = &corev1.HTTPGetAction{Path: hc.Path, Port: intstr.FromString("http")}
		container.VolumeMounts = []corev1.VolumeMount{{Name: configVolume, MountPath: ConfigMountPath, ReadOnly: true}}
	} else {
		probe.TCPSocket = &corev1.TCPSocketAction{Port: intstr.FromString(svc.Protocol)}
	}
	readiness, liveness := probe, probe.DeepCopy()
	liveness.FailureThreshold = 6
	container.ReadinessProbe, container.LivenessProbe = readiness, liveness
	pod := corev1.PodSpec{
		ServiceAccountName: svc.ServiceAccount(),
		Containers:         []corev1.Container{container},
	}
	if svc.IsApp() {
		pod.Volumes = []corev1.Volume{{
			Name: configVolume,
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: ConfigMapName(svc.Name)},
			}},
		}}
	}
	meta := e.meta(svc, t.name, version)
	meta.Labels[LabelTrack] = t.subset
	podMeta := metav1.ObjectMeta{Labels: podLabels}
	if configSum != "" {
		podMeta.Annotations = map[string]string{AnnotationConfigSum: configSum}
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: t.selector(svc),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: podMeta,
				Spec:       pod,
			},
		},
	}
}

func (e *envRender) disruptionBudget(svc *schema.Service, t track) *policyv1.PodDisruptionBudget {
	one := intstr.FromInt32(1)
	meta := e.meta(svc, t.name, t.version)
	meta.Labels[LabelTrack] = t.subset
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: meta,
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: &one,
			Selector:       t.selector(svc),
		},
	}
}

// seconds rounds a duration up to whole seconds, at least 1, as probes
// count.
func seconds(d schema.Duration) int32 {
	s := (d.D() + 999_999_999) / 1_000_000_000
	if s < 1 {
		s = 1
	}
	return int32(s)
}
