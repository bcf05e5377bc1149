package plan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// renderInto writes the test rendering of m into dir, as `govctl render
// --out dir` does.
func renderInto(t *testing.T, m *schema.Model, dir string) {
	t.Helper()
	objs, err := testRender(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := render.Write(context.Background(), dir, objs, render.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}

func planAgainstDir(t *testing.T, m *schema.Model, dir string) (*Plan, error) {
	t.Helper()
	return Compute(context.Background(), Options{Model: m, Render: testRender, Baseline: NewDirBaseline(dir)})
}

func TestDirBaselineOfFreshOutputHasNoChanges(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	out := t.TempDir()
	renderInto(t, m, out)
	p, err := planAgainstDir(t, m, out)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() {
		t.Errorf("plan against freshly rendered output has changes:\n%s", report(t, &TextReporter{}, p))
	}
}

func TestDirBaselineShowsChangesDeletionsAndHandEdits(t *testing.T) {
	specs := t.TempDir()
	copyShop(t, specs)
	write := func(rel, content string) {
		if err := os.WriteFile(filepath.Join(specs, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("services/search.cue", searchService)
	out := t.TempDir()
	renderInto(t, loadModel(t, specs), out)

	// The spec drops search and changes orders' prod config; someone edited
	// the dev VirtualService of users on disk.
	if err := os.Remove(filepath.Join(specs, "services/search.cue")); err != nil {
		t.Fatal(err)
	}
	orders, err := os.ReadFile(filepath.Join(specs, "services/orders.cue"))
	if err != nil {
		t.Fatal(err)
	}
	write("services/orders.cue", strings.Replace(string(orders), "config: data: db: maxOpen: 200}", "config: data: db: maxOpen: 100}", 1))
	vs := filepath.Join(out, "dev/istio/users.yaml")
	data, err := os.ReadFile(vs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vs, []byte(strings.Replace(string(data), "timeout: 180ms", "timeout: 5s", 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	p, err := planAgainstDir(t, loadModel(t, specs), out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Action{}
	for _, ch := range p.Changes {
		got[ch.Env+" "+ch.Name] = ch.Action
	}
	want := map[string]Action{
		"dev VirtualService shop-dev/users":              ActionUpdate,
		"prod shop-prod/DEFAULT_GROUP/orders.yaml":       ActionUpdate,
		"prod prod/services/orders.yaml":                 ActionUpdate,
		"dev VirtualService shop-dev/search":             ActionDelete,
		"dev dev/services/search.yaml":                   ActionDelete,
		"dev shop-dev/DEFAULT_GROUP/search.yaml":         ActionDelete,
		"staging VirtualService shop-staging/search":     ActionDelete,
		"staging staging/services/search.yaml":           ActionDelete,
		"staging shop-staging/DEFAULT_GROUP/search.yaml": ActionDelete,
		"prod VirtualService shop-prod/search":           ActionDelete,
		"prod prod/services/search.yaml":                 ActionDelete,
		"prod shop-prod/DEFAULT_GROUP/search.yaml":       ActionDelete,
	}
	for k, a := range want {
		if got[k] != a {
			t.Errorf("%s: got %q, want %q", k, got[k], a)
		}
	}
	for k, a := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected change %s: %s", k, a)
		}
	}
	for _, ch := range p.Changes {
		switch ch.Name {
		case "VirtualService shop-dev/users":
			if len(ch.Fields) != 1 || fieldLine(ch.Fields[0]) != `~ spec.http[0].timeout: "5s" → "180ms"` {
				t.Errorf("hand edit: got %v", ch.Fields)
			}
		case "shop-prod/DEFAULT_GROUP/orders.yaml":
			if len(ch.Fields) != 1 || fieldLine(ch.Fields[0]) != "~ db.maxOpen: 200 → 100" || ch.Risk != RiskMedium {
				t.Errorf("nacos content: got %v risk %s", ch.Fields, ch.Risk)
			}
		}
	}
}

func TestDirBaselineEmptyDirectoryPlansEverythingAsCreated(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	p, err := planAgainstDir(t, m, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := p.Summary()
	if c.Add == 0 || c.Change != 0 || c.Destroy != 0 {
		t.Errorf("got %+v, want only creates", c)
	}
}

func TestDirBaselineErrors(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	unowned := t.TempDir()
	if err := os.WriteFile(filepath.Join(unowned, "vs.yaml"), []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	corrupt := t.TempDir()
	if err := os.WriteFile(filepath.Join(corrupt, render.ManifestName), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
	}{
		{"MissingDirectory", filepath.Join(t.TempDir(), "deploy"), "does not exist"},
		{"FilesWithoutManifest", unowned, "has no .govctl-manifest.json"},
		{"CorruptManifest", corrupt, "is corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planAgainstDir(t, m, tt.dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestDirBaselineDoesNotCoverPolicyObjects(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	out := t.TempDir()
	renderInto(t, m, out)
	withPolicy := func(ctx context.Context, m *schema.Model) ([]render.Object, error) {
		objs, err := testRender(ctx, m)
		return append(objs, PolicyObject("prod", "GOV-RES-001", LintRuleSetting{Enabled: true, Severity: "error"})), err
	}
	p, err := Compute(context.Background(), Options{Model: m, Render: withPolicy, Baseline: NewDirBaseline(out)})
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() {
		t.Errorf("policy object planned against a directory:\n%s", report(t, &TextReporter{}, p))
	}
}

func TestScopeLimitsBothSides(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	p, err := Compute(context.Background(), Options{
		Model: m, Render: testRender, Baseline: NewDirBaseline(t.TempDir()),
		Scope: render.Scope{Targets: []render.Target{render.TargetIstio}, Envs: []string{"prod"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range p.Changes {
		if ch.Target != render.TargetIstio || ch.Env != "prod" {
			t.Errorf("change outside the scope: %s %s %s", ch.Target, ch.Env, ch.Name)
		}
	}
	if !p.HasChanges() {
		t.Error("no changes in scope")
	}
}
