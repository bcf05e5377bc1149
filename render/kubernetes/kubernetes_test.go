package kubernetes

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
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
