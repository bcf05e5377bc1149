package istio

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/govctl/govctl/internal/testutil"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

func loadShop(t *testing.T) *schema.Model { return testutil.LoadShop(t) }

// loadSpec writes a spec directory of the given files and loads it.
func loadSpec(t *testing.T, files map[string]string) *schema.Model {
	return testutil.LoadSpec(t, files)
}

// platformCUE is a small platform for behaviour tests: dev (PERMISSIVE, no
// canary), staging (mirrors 10 % to the canary subset) and prod (canary
// steps 20, 50, 100).
const platformCUE = `package platform

platform: {
	name: "t"
	registry: {kind: "kubernetes"}
	telemetry: tracing: sampling: 0.07
}
environments: {
	dev:     {tier: "dev", mtls: "PERMISSIVE"}
	staging: {tier: "staging", mirror: {percent: 10}}
	prod:    {tier: "prod", canary: {steps: [20, 50, 100]}}
}
`

// renderSpec loads a spec made of platformCUE and services, and renders
// it for env.
func renderSpec(t *testing.T, env string, opts Options, services string) []render.Object {
	t.Helper()
	m := loadSpec(t, map[string]string{"platform.cue": platformCUE, "services.cue": "package platform\n\n" + services})
	objs, err := Renderer{Options: opts}.Render(context.Background(), m, []string{env})
	if err != nil {
		t.Fatalf("render %s: %v", env, err)
	}
	return objs
}

// renderShop renders every environment of examples/shop.
func renderShop(t *testing.T, opts Options) (*schema.Model, []render.Object) {
	t.Helper()
	m := loadShop(t)
	objs, err := Renderer{Options: opts}.Render(context.Background(), m, m.EnvironmentNames())
	if err != nil {
		t.Fatalf("render shop: %v", err)
	}
	return m, objs
}

// find returns the Value of the object of the given kind and name in env,
// as type T.
func find[T any](t *testing.T, objs []render.Object, env, kind, name string) T {
	t.Helper()
	for _, o := range objs {
		if o.Env == env && o.ID.Kind == kind && o.ID.Name == name {
			v, ok := o.Value.(T)
			if !ok {
				t.Fatalf("%s %s/%s is a %T", kind, env, name, o.Value)
			}
			return v
		}
	}
	t.Fatalf("no %s %q in %s", kind, name, env)
	var zero T
	return zero
}

// has reports whether objs hold an object of the kind and name in env.
func has(objs []render.Object, env, kind, name string) bool {
	for _, o := range objs {
		if o.Env == env && o.ID.Kind == kind && o.ID.Name == name {
			return true
		}
	}
	return false
}

// writeFiles encodes objs with the render package's writer and writes the
// files under dir.
func writeFiles(t *testing.T, dir string, objs []render.Object) []render.File {
	t.Helper()
	files, err := render.EncodeObjects(objs)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}
