package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/fieldpath"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// fixtureBaseline is a fixed list of objects, with conflicts by name.
type fixtureBaseline struct {
	objs      []render.Object
	conflicts map[string]string
}

func (b *fixtureBaseline) Describe() string            { return "fixture" }
func (b *fixtureBaseline) Covers(render.Object) bool   { return true }
func (b *fixtureBaseline) conflict(_, n string) string { return b.conflicts[n] }
func (b *fixtureBaseline) Objects(context.Context, []render.Object) ([]render.Object, error) {
	return b.objs, nil
}

func kube(env, kind, ns, name string, spec map[string]any) render.Object {
	api := "networking.istio.io/v1"
	if kind == "AuthorizationPolicy" || kind == "PeerAuthentication" {
		api = "security.istio.io/v1"
	}
	return render.Object{
		Target: render.TargetIstio, Env: env, Service: name, Path: env + "/istio/" + name + ".yaml",
		ID: render.Identity{APIVersion: api, Kind: kind, Namespace: ns, Name: name},
		Value: map[string]any{
			"apiVersion": api, "kind": kind,
			"metadata": map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"app.kubernetes.io/name": name}},
			"spec":     spec,
		},
	}
}

func route(canary, stable int, timeout string, hosts ...string) map[string]any {
	return map[string]any{
		"hosts": hosts,
		"http": []any{map[string]any{
			"timeout": timeout,
			"route": []any{
				map[string]any{"destination": map[string]any{"host": "orders", "subset": "canary"}, "weight": canary},
				map[string]any{"destination": map[string]any{"host": "orders", "subset": "stable"}, "weight": stable},
			},
		}},
	}
}

func workflow(idToken string, devStep string) render.Object {
	perms := map[string]any{"contents": "read"}
	if idToken != "" {
		perms["id-token"] = idToken
	}
	return render.Object{
		Target: render.TargetGitHub, Service: "orders", Path: ".github/workflows/deploy-orders.yml",
		ID: render.Identity{Kind: "Workflow", Name: ".github/workflows/deploy-orders.yml"},
		Value: map[string]any{"jobs": map[string]any{
			"deploy-dev":  map[string]any{"environment": map[string]any{"name": "dev"}, "steps": []any{map[string]any{"name": devStep}}},
			"deploy-prod": map[string]any{"environment": map[string]any{"name": "prod"}, "permissions": perms},
		}},
	}
}

func nacosEntry(env, ns, dataID, content string) render.Object {
	return render.Object{
		Target: render.TargetNacos, Env: env, Path: env + "/nacos/" + dataID,
		ID: render.Identity{Kind: "ConfigEntry", Namespace: ns, Name: "DEFAULT_GROUP/" + dataID}, Raw: []byte(content),
	}
}

// fixturePlan covers every action, every risk, a conflict, objects that
// span environments and Markdown-hostile text, against a baseline with no
// specs (as --against and --nacos are): object changes only.
func fixturePlan(t *testing.T) *Plan {
	t.Helper()
	m := loadModel(t, "../examples/shop")
	desired := []render.Object{
		kube("prod", "VirtualService", "shop-prod", "orders", route(30, 70, "2s", "orders", "shop.acme.io", "api.shop.acme.io")),
		kube("staging", "DestinationRule", "shop-staging", "orders", map[string]any{"host": "orders"}),
		{Target: render.TargetKratos, Env: "dev", Service: "orders", Path: "dev/kratos/orders/config.yaml",
			ID: render.Identity{Kind: "KratosBootstrap", Namespace: "shop-dev", Name: "orders"}, Value: map[string]any{"server": map[string]any{"http": map[string]any{"timeout": "3s"}}}},
		nacosEntry("prod", "shop-prod", "orders.yaml", "db:\n  maxOpen: 100\n"),
		workflow("write", "Deploy `orders` | dev"),
	}
	base := []render.Object{
		kube("prod", "VirtualService", "shop-prod", "orders", route(10, 90, "1s", "api.shop.acme.io", "orders")),
		kube("prod", "AuthorizationPolicy", "shop-prod", "payments", map[string]any{"action": "ALLOW"}),
		{Target: render.TargetKratos, Env: "dev", Service: "orders", Path: "dev/kratos/orders/config.yaml",
			ID: render.Identity{Kind: "KratosBootstrap", Namespace: "shop-dev", Name: "orders"}, Value: map[string]any{"server": map[string]any{"http": map[string]any{"timeout": "1s"}}}},
		nacosEntry("prod", "shop-prod", "orders.yaml", "db:\n  maxOpen: 300\n"),
		workflow("", "Deploy orders to dev"),
	}
	p, err := Compute(context.Background(), Options{
		Model:  m,
		Render: func(context.Context, *schema.Model) ([]render.Object, error) { return desired, nil },
		Baseline: &fixtureBaseline{objs: base, conflicts: map[string]string{
			"shop-prod/DEFAULT_GROUP/orders.yaml": "edited outside govctl since govctl applied it",
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func emptyPlan(t *testing.T) *Plan {
	t.Helper()
	m := loadModel(t, "../examples/shop")
	p, err := Compute(context.Background(), Options{
		Model:    m,
		Render:   testRender,
		Baseline: &fixtureBaseline{},
		Scope:    render.Scope{Envs: []string{"none"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReportersGolden(t *testing.T) {
	full, empty := fixturePlan(t), emptyPlan(t)
	tests := []struct {
		name     string
		reporter Reporter
		plan     *Plan
	}{
		{"plan.txt", &TextReporter{}, full},
		{"plan_color.txt", &TextReporter{Color: true}, full},
		{"plan.md", &MarkdownReporter{}, full},
		{"plan.json", &JSONReporter{}, full},
		{"empty.txt", &TextReporter{}, empty},
		{"empty.md", &MarkdownReporter{}, empty},
		{"empty.json", &JSONReporter{}, empty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "report/"+tt.name, report(t, tt.reporter, tt.plan))
		})
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	first := report(t, &JSONReporter{}, fixturePlan(t))
	for range 5 {
		if got := report(t, &JSONReporter{}, fixturePlan(t)); !bytes.Equal(got, first) {
			t.Fatalf("plan changed between runs")
		}
	}
}

func TestMarkdownStartsWithTheMarker(t *testing.T) {
	for _, p := range []*Plan{fixturePlan(t), emptyPlan(t)} {
		md := string(report(t, &MarkdownReporter{}, p))
		first, _, _ := strings.Cut(md, "\n")
		if first != PlanMarker("shop") {
			t.Errorf("first line %q, want %q", first, PlanMarker("shop"))
		}
	}
}

func TestMarkdownListsHighRiskChangesBeforeTheDetails(t *testing.T) {
	md := string(report(t, &MarkdownReporter{}, fixturePlan(t)))
	high := strings.Index(md, "Review first")
	details := strings.Index(md, "<details")
	table := strings.Index(md, "| | prod | staging | dev |")
	if table < 0 || high < 0 || details < 0 || !(table < high && high < details) {
		t.Errorf("want grid, then review list, then details; got positions %d, %d, %d", table, high, details)
	}
}

func TestJSONFormatIsVersioned(t *testing.T) {
	var doc struct {
		FormatVersion string `json:"format_version"`
		HasChanges    bool   `json:"has_changes"`
		Changes       []struct {
			Objects []string `json:"objects"`
		} `json:"changes"`
		Objects []struct {
			ObjectID string `json:"object_id"`
			Action   string `json:"action"`
			Fields   []struct {
				Path string `json:"path"`
			} `json:"fields"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(report(t, &JSONReporter{}, fixturePlan(t)), &doc); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, c := range doc.Changes {
		for _, id := range c.Objects {
			ids[id] = true
		}
	}
	for _, o := range doc.Objects {
		if !ids[o.ObjectID] {
			t.Errorf("object %s is attached to no change", o.ObjectID)
		}
	}
	if doc.FormatVersion != "2" || !doc.HasChanges || len(doc.Changes) == 0 || len(doc.Objects) == 0 {
		t.Errorf("got %+v", doc)
	}
}

func TestHasChangesDrivesTheDetailedExitCode(t *testing.T) {
	if emptyPlan(t).HasChanges() {
		t.Error("empty plan has changes")
	}
	if !fixturePlan(t).HasChanges() {
		t.Error("fixture plan has no changes")
	}
}

func TestNewReporter(t *testing.T) {
	for _, f := range []string{"text", "markdown", "json"} {
		if _, err := NewReporter(f, false); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := NewReporter("yaml", false); err == nil || !strings.Contains(err.Error(), "text, markdown, json") {
		t.Errorf("got %v", err)
	}
}

// TestMarkdownFitsTheCommentLimit cuts object diffs first, then whole folds,
// and says what it left out.
func TestMarkdownFitsTheCommentLimit(t *testing.T) {
	p := fixturePlan(t)
	full := report(t, &MarkdownReporter{}, p)
	for _, limit := range []int{len(full) - 1, 1500, 900} {
		md := string(report(t, &MarkdownReporter{Limit: limit}, p))
		if len(md) > limit {
			t.Errorf("limit %d: %d characters", limit, len(md))
		}
		if !strings.Contains(md, "✂️") {
			t.Errorf("limit %d: nothing says what was cut:\n%s", limit, md)
		}
		if !strings.HasPrefix(md, PlanMarker("shop")+"\n### govctl plan · shop — 🔴") {
			t.Errorf("limit %d: the marker and verdict must survive any cut:\n%s", limit, md)
		}
	}
}

func TestMermaidGraphOnlyWhenEdgesChangeAndFoldedAboveFifteen(t *testing.T) {
	dep := func(from, to string, a Action) *Change {
		return &Change{Scope: ScopeService, Service: from, Path: fieldpath.New("services", from, "dependencies", to),
			Action: a, Environments: []string{"prod"}, Risk: RiskHigh, Reason: "r"}
	}
	p := &Plan{Platform: "shop", SpecBaseline: true, Baseline: "main",
		Environments: []Environment{{Name: "prod", Tier: schema.TierProd}},
		Changes:      []*Change{{Scope: ScopeService, Service: "orders", Path: fieldpath.New("services", "orders", "replicas"), Action: ActionUpdate, From: 2, To: 3, Environments: []string{"prod"}, Risk: RiskLow, Reason: "r"}}}
	if md := string(report(t, &MarkdownReporter{}, p)); strings.Contains(md, "mermaid") {
		t.Errorf("a graph without a changed edge:\n%s", md)
	}
	p.Changes = append(p.Changes, dep("orders", "inventory", ActionDelete), dep("orders", "payments", ActionCreate))
	md := string(report(t, &MarkdownReporter{}, p))
	if !strings.Contains(md, "```mermaid\ngraph LR\n") || !strings.Contains(md, `n0 -.->|removed · prod| n1`) || strings.Contains(md, "dependency edges</summary>") {
		t.Errorf("want an open graph with the removed edge:\n%s", md)
	}
	for i := range 15 {
		p.Changes = append(p.Changes, dep("gateway", fmt.Sprintf("svc%02d", i), ActionCreate))
	}
	if md := string(report(t, &MarkdownReporter{}, p)); !strings.Contains(md, "<details><summary>17 dependency edges</summary>") {
		t.Errorf("17 edges are not folded:\n%s", md)
	}
}
