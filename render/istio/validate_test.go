package istio

import (
	"strconv"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/istiovalidate"
	"github.com/govctl/govctl/render"
)

// TestRenderedObjectsPassIstioValidation runs Istio's own validation (the
// code of `istioctl validate`) over every object rendered for
// examples/shop, in every environment, as the files are written.
func TestRenderedObjectsPassIstioValidation(t *testing.T) {
	_, objs := renderShop(t, Options{})
	expectIstioAccepts(t, objs)
}

// TestCanaryStepsPassIstioValidation validates the rollout states a
// pipeline renders: every step, a rollback to 0 and a finished 100.
func TestCanaryStepsPassIstioValidation(t *testing.T) {
	var all []render.Object
	for _, w := range []int{0, 30, 100} {
		_, objs := renderShop(t, Options{CanaryWeight: &w})
		for _, o := range objs {
			if o.Service == "orders" && o.Env == "prod" {
				o.Path = "weight-" + strconv.Itoa(w) + "/" + o.Path
				all = append(all, o)
			}
		}
	}
	all = append(all, darkLaunchObjects(t)...)
	expectIstioAccepts(t, all)
}

func expectIstioAccepts(t *testing.T, objs []render.Object) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, objs)
	res := istiovalidate.ExpectValid(t, dir)
	// Istio warns about every EnvoyFilter; any other warning (such as a
	// typed_config field it cannot decode) is a defect.
	for _, o := range res.Objects {
		for _, w := range o.Warnings() {
			if !strings.HasPrefix(w, "EnvoyFilter exposes internal implementation details") {
				t.Errorf("%s: Istio warns: %s", o, w)
			}
		}
	}
	if res.Valid != len(objs) {
		t.Errorf("istio-validate checked %d valid objects, rendered %d\n%s", res.Valid, len(objs), res.Output)
	}
	for _, o := range objs {
		if _, ok := res.Find(o.ID.Kind, o.ID.Namespace, o.ID.Name); !ok {
			t.Errorf("%s %s/%s was not validated", o.ID.Kind, o.ID.Namespace, o.ID.Name)
		}
	}
}
