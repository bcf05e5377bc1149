package kubernetes

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	kubeyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/govctl/govctl/internal/testutil"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/shop")

func renderModel(t *testing.T, m *schema.Model) []render.Object {
	t.Helper()
	objs, err := Renderer{}.Render(context.Background(), m, m.EnvironmentNames())
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return objs
}

// TestGoldenFiles compares examples/shop's Kubernetes objects with
// testdata/shop; -update rewrites them.
func TestGoldenFiles(t *testing.T) {
	files, err := render.EncodeObjects(renderModel(t, testutil.LoadShop(t)))
	if err != nil {
		t.Fatal(err)
	}
	testutil.GoldenFiles(t, "testdata/shop", files, *update)
}

// decodeStrict decodes one encoded document into the k8s.io/api type of
// its kind, refusing unknown fields.
func decodeStrict(t *testing.T, doc []byte) (metav1.Object, any) {
	t.Helper()
	js, err := kubeyaml.ToJSON(doc)
	if err != nil {
		t.Fatalf("to JSON: %v\n%s", err, doc)
	}
	var tm metav1.TypeMeta
	if err := json.Unmarshal(js, &tm); err != nil {
		t.Fatal(err)
	}
	var v interface {
		metav1.Object
	}
	switch tm.APIVersion + "/" + tm.Kind {
	case "v1/Namespace":
		v = &corev1.Namespace{}
	case "v1/ServiceAccount":
		v = &corev1.ServiceAccount{}
	case "v1/ConfigMap":
		v = &corev1.ConfigMap{}
	case "v1/Service":
		v = &corev1.Service{}
	case "apps/v1/Deployment":
		v = &appsv1.Deployment{}
	case "policy/v1/PodDisruptionBudget":
		v = &policyv1.PodDisruptionBudget{}
	default:
		t.Fatalf("unexpected kind %s %s", tm.APIVersion, tm.Kind)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: strict decode: %v\n%s", tm.Kind, err, doc)
	}
	return v, v
}

func checkLabels(t *testing.T, where string, labels map[string]string) {
	t.Helper()
	for k, v := range labels {
		if msgs := validation.IsQualifiedName(k); len(msgs) > 0 {
			t.Errorf("%s: label key %q: %v", where, k, msgs)
		}
		if msgs := validation.IsValidLabelValue(v); len(msgs) > 0 {
			t.Errorf("%s: label %s=%q: %v", where, k, v, msgs)
		}
	}
}

// TestObjectsDecodeStrictlyWithValidNames decodes every rendered document,
// of examples/shop and of a generated 300-service platform, strictly into
// its k8s.io/api type and checks names and labels with apimachinery's
// validation, and that every Deployment's selector selects its own pods.
func TestObjectsDecodeStrictlyWithValidNames(t *testing.T) {
	for name, m := range map[string]*schema.Model{"shop": testutil.LoadShop(t), "generated": testutil.LoadGenerated(t, 300)} {
		t.Run(name, func(t *testing.T) {
			files, err := render.EncodeObjects(renderModel(t, m))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, f := range files {
				for i, doc := range bytes.Split(f.Data, []byte("\n---\n")) {
					where := fmt.Sprintf("%s#%d", f.Path, i)
					obj, v := decodeStrict(t, doc)
					n++
					nameCheck := validation.IsDNS1123Subdomain
					if _, ok := v.(*corev1.Namespace); ok {
						nameCheck = validation.IsDNS1123Label
					}
					if _, ok := v.(*corev1.Service); ok {
						nameCheck = validation.IsDNS1035Label
					}
					if msgs := nameCheck(obj.GetName()); len(msgs) > 0 {
						t.Errorf("%s: name %q: %v", where, obj.GetName(), msgs)
					}
					checkLabels(t, where, obj.GetLabels())
					if d, ok := v.(*appsv1.Deployment); ok {
						checkLabels(t, where+" pod template", d.Spec.Template.Labels)
						for k, want := range d.Spec.Selector.MatchLabels {
							if d.Spec.Template.Labels[k] != want {
								t.Errorf("%s: selector %s=%s does not select the pod template (%v)", where, k, want, d.Spec.Template.Labels)
							}
						}
						if d.Spec.Template.Spec.ServiceAccountName == "" {
							t.Errorf("%s: pods run as the default service account", where)
						}
					}
					if s, ok := v.(*corev1.Service); ok {
						for _, p := range s.Spec.Ports {
							if p.AppProtocol == nil || !strings.HasPrefix(p.Name, *p.AppProtocol) {
								t.Errorf("%s: port %q is not named for its protocol", where, p.Name)
							}
						}
					}
				}
			}
			if n == 0 {
				t.Fatal("no objects rendered")
			}
		})
	}
}

func find[T any](t *testing.T, objs []render.Object, env, kind, name string) (T, bool) {
	t.Helper()
	for _, o := range objs {
		if o.Env == env && o.ID.Kind == kind && o.ID.Name == name {
			return o.Value.(T), true
		}
	}
	var zero T
	return zero, false
}

func TestCanaryRunsNextToStableWhileARolloutIsInProgress(t *testing.T) {
	objs := renderModel(t, testutil.LoadShop(t))
	// orders rolls v1.4.2 out in prod next to v1.4.1; dev deploys it directly.
	stable, _ := find[*appsv1.Deployment](t, objs, "prod", "Deployment", "orders")
	canary, ok := find[*appsv1.Deployment](t, objs, "prod", "Deployment", "orders-canary")
	if !ok {
		t.Fatal("no orders-canary in prod")
	}
	if stable.Spec.Template.Labels["version"] != "v1.4.1" || canary.Spec.Template.Labels["version"] != "v1.4.2" {
		t.Errorf("versions: stable %v canary %v", stable.Spec.Template.Labels, canary.Spec.Template.Labels)
	}
	if got := canary.Spec.Template.Spec.Containers[0].Image; got != "ghcr.io/acme/orders:v1.4.2" {
		t.Errorf("canary image %s", got)
	}
	if *stable.Spec.Replicas != 6 || *canary.Spec.Replicas != 6 {
		t.Errorf("replicas %d/%d, want prod's 6", *stable.Spec.Replicas, *canary.Spec.Replicas)
	}
	if _, ok := find[*appsv1.Deployment](t, objs, "dev", "Deployment", "orders-canary"); ok {
		t.Error("dev runs a canary")
	}
	if _, ok := find[*policyv1.PodDisruptionBudget](t, objs, "prod", "PodDisruptionBudget", "orders-canary"); !ok {
		t.Error("no PodDisruptionBudget for the canary's 6 replicas")
	}
	// orders-db runs one replica: no budget (it would block every drain).
	if _, ok := find[*policyv1.PodDisruptionBudget](t, objs, "prod", "PodDisruptionBudget", "orders-db"); ok {
		t.Error("a one-replica Deployment has a PodDisruptionBudget")
	}
	if stable.Spec.Template.Annotations[AnnotationConfigSum] == "" || stable.Spec.Template.Spec.Volumes[0].ConfigMap.Name != "orders-config" {
		t.Errorf("the bootstrap is not mounted and summed: %v", stable.Spec.Template)
	}
}

func TestAWorkloadGovctlDoesNotOwnGetsNoObjectsAndNamesItsAccount(t *testing.T) {
	m := testutil.LoadSpec(t, map[string]string{"spec.cue": `package platform
platform: {name: "t", registry: kind: "kubernetes"}
environments: dev: tier: "dev"
services: a: {owner: "t", image: "ghcr.io/x/a", version: "v1", workload: {managed: false, serviceAccount: "legacy-a"}}
services: b: {owner: "t", image: "ghcr.io/x/b", version: "v1", dependencies: a: timeout: "100ms"}
`})
	objs := renderModel(t, m)
	for _, o := range objs {
		if o.Service == "a" {
			t.Errorf("unmanaged a got %s %s", o.ID.Kind, o.ID.Name)
		}
	}
	if res, _ := m.Resolve("dev"); res.Services["a"].ServiceAccount() != "legacy-a" {
		t.Errorf("account = %q", res.Services["a"].ServiceAccount())
	}
}

func TestUnmanagedWorkloadMustNameItsServiceAccount(t *testing.T) {
	_, err := schema.Load(context.Background(), writeSpec(t, `package platform
platform: {name: "t", registry: kind: "kubernetes"}
environments: dev: tier: "dev"
services: a: {owner: "t", image: "ghcr.io/x/a", version: "v1", workload: managed: false}
`))
	if err == nil || !strings.Contains(err.Error(), "serviceAccount") {
		t.Errorf("err = %v, want one about workload.serviceAccount", err)
	}
}

func writeSpec(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "spec.cue"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
