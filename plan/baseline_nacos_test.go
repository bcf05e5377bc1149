package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/nacosfake"
	"github.com/govctl/govctl/nacos"
	"github.com/govctl/govctl/render"
	rnacos "github.com/govctl/govctl/render/nacos"
)

func TestNacosBaselineComparesTheEnvironmentsEntries(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	objs, err := testRender(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	fake := nacosfake.New(t, nacosfake.Options{})
	// Publish prod's entries as govctl would have applied them, all but
	// users.yaml, which was never applied.
	for _, o := range objs {
		ns, group, dataID, ok := nacosKey(o)
		if !ok || o.Env != "prod" || dataID == "users.yaml" {
			continue
		}
		content := string(o.Raw)
		fake.Put(ns, group, dataID, rnacos.TypeYAML, content, nacos.ManagedDesc(nacos.ContentMD5(content)))
	}
	// orders.yaml: edited in the console since; orders-lite.yaml: applied
	// with older content; gone.yaml: govctl's, no longer rendered;
	// legacy.yaml: not govctl's; shop-dev is another environment's.
	fake.ConsoleEdit("shop-prod", "DEFAULT_GROUP", "orders.yaml", "db:\n  maxOpen: 300\n")
	fake.Put("shop-prod", "DEFAULT_GROUP", "orders-lite.yaml", rnacos.TypeYAML, "cache:\n  ttl: 60s\n", nacos.ManagedDesc(nacos.ContentMD5("cache:\n  ttl: 60s\n")))
	fake.Put("shop-prod", "DEFAULT_GROUP", "legacy.yaml", rnacos.TypeYAML, "a: 1\n", "")
	fake.Put("shop-prod", "DEFAULT_GROUP", "gone.yaml", rnacos.TypeYAML, "a: 1\n", nacos.ManagedDesc(nacos.ContentMD5("a: 1\n")))
	fake.Put("shop-dev", "DEFAULT_GROUP", "gone-dev.yaml", rnacos.TypeYAML, "a: 1\n", nacos.ManagedDesc(nacos.ContentMD5("a: 1\n")))
	client, err := nacos.NewClient(fake.Addr(), nacos.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}

	base := NewNacosBaseline(client, "http://nacos:8848", "prod")
	p, err := Compute(context.Background(), Options{Model: m, Render: testRender, Baseline: base})
	if err != nil {
		t.Fatal(err)
	}
	if p.Baseline != "Nacos http://nacos:8848 (environment prod)" {
		t.Errorf("Baseline = %q", p.Baseline)
	}
	got := map[string]*ObjectChange{}
	for _, ch := range p.Objects {
		if ch.Target != render.TargetNacos || ch.Env != "prod" {
			t.Errorf("change outside prod's entries: %s %s %s", ch.Target, ch.Env, ch.Name)
		}
		got[ch.Name] = ch
	}
	orders := got["shop-prod/DEFAULT_GROUP/orders.yaml"]
	if orders.Action != ActionUpdate || !strings.Contains(orders.Conflict, "edited outside govctl") {
		t.Errorf("orders: %+v, want an update in conflict", orders)
	}
	if lite := got["shop-prod/DEFAULT_GROUP/orders-lite.yaml"]; lite.Action != ActionUpdate || lite.Conflict != "" {
		t.Errorf("orders-lite: %+v, want a plain update", lite)
	}
	if gone := got["shop-prod/DEFAULT_GROUP/gone.yaml"]; gone == nil || gone.Action != ActionDelete || riskOf(gone) != RiskHigh {
		t.Errorf("gone: %+v, want a high-risk delete", gone)
	}
	if _, ok := got["shop-prod/DEFAULT_GROUP/legacy.yaml"]; ok {
		t.Error("legacy.yaml is not govctl's and must not be planned")
	}
	if users := got["shop-prod/DEFAULT_GROUP/users.yaml"]; users.Action != ActionCreate {
		t.Errorf("users: %+v, want a create", users)
	}
	for name, ch := range got {
		switch name {
		case "shop-prod/DEFAULT_GROUP/orders.yaml", "shop-prod/DEFAULT_GROUP/orders-lite.yaml",
			"shop-prod/DEFAULT_GROUP/gone.yaml", "shop-prod/DEFAULT_GROUP/users.yaml":
		default:
			t.Errorf("unexpected change %s %s", name, ch.Action)
		}
	}
	text := string(report(t, &TextReporter{}, p))
	if !strings.Contains(text, "! conflict: edited outside govctl") {
		t.Errorf("text report does not show the conflict:\n%s", text)
	}
}

func TestNacosBaselineMissingEntryIsCreated(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	fake := nacosfake.New(t, nacosfake.Options{})
	client, err := nacos.NewClient(fake.Addr(), nacos.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fake.Put("shop-staging", "DEFAULT_GROUP", "orders.yaml", rnacos.TypeYAML, "x: 1\n", "")
	p, err := Compute(context.Background(), Options{Model: m, Render: testRender, Baseline: NewNacosBaseline(client, fake.Addr(), "staging")})
	if err != nil {
		t.Fatal(err)
	}
	var creates int
	for _, ch := range p.Objects {
		switch {
		case ch.Name == "shop-staging/DEFAULT_GROUP/orders.yaml":
			if ch.Action != ActionUpdate || !strings.Contains(ch.Conflict, "govctl did not create it") {
				t.Errorf("orders: %+v, want an update in conflict (not govctl's)", ch)
			}
		case ch.Action == ActionCreate:
			creates++
		default:
			t.Errorf("unexpected %s %s", ch.Action, ch.Name)
		}
	}
	if creates == 0 {
		t.Error("no entry planned as created")
	}
}

func TestNacosBaselineServerErrorIsAnError(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	fake := nacosfake.New(t, nacosfake.Options{RequireAuth: true})
	client, err := nacos.NewClient(fake.Addr(), nacos.ClientOptions{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compute(context.Background(), Options{Model: m, Render: testRender, Baseline: NewNacosBaseline(client, fake.Addr(), "prod")})
	if err == nil || !strings.Contains(err.Error(), "read baseline Nacos") {
		t.Fatalf("got %v, want the server's refusal", err)
	}
}
