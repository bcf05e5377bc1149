package lint

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/govctl/govctl/render"
)

func TestFixtureFindingsArePlacedAndMergedAcrossEnvironments(t *testing.T) {
	res := lintFixture(t, nil, nil)
	want := `GOV-TST-002 warning platform.cue:6:32  [dev,staging,prod]: sampling 0.9 is above 0.5 (strict, now 2026-05-01T12:00:00Z)
GOV-TST-001 error services/a.cue:7:12 a [dev,staging]: 1 replicas, want at least 2
GOV-TST-001 error services/b.cue:7:12 b [dev,staging,prod]: 1 replicas, want at least 2
`
	if got := summary(res.Findings); got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	if !res.Failed() {
		t.Error("Failed() = false with error findings at failOn error")
	}
	if got, want := res.Skipped, []string{"GOV-TST-003"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Skipped = %v, want %v (objects rule without objects)", got, want)
	}
}

func TestObjectRulesRunOnlyWithObjects(t *testing.T) {
	objects := []render.Object{
		{Target: render.TargetIstio, Env: "prod", Service: "a", Path: "istio/prod/a.yaml", ID: render.Identity{Kind: "Forbidden", Name: "a-bad"}},
		{Target: render.TargetIstio, Env: "dev", Service: "b", Path: "istio/dev/b.yaml", ID: render.Identity{Kind: "VirtualService", Name: "b"}},
	}
	res := lintFixture(t, nil, func(o *Options) { o.Objects = objects })
	if len(res.Skipped) != 0 {
		t.Errorf("Skipped = %v with objects given", res.Skipped)
	}
	var got []string
	for _, f := range res.Findings {
		if f.RuleID == "GOV-TST-003" {
			got = append(got, f.Pos.String()+" "+strings.Join(f.Environments, ",")+" "+f.Message)
		}
	}
	want := "services/a.cue:3:11 prod renders Forbidden a-bad"
	if strings.Join(got, "\n") != want {
		t.Errorf("objects findings = %q, want %q (placed at the service, only in its environment)", got, want)
	}
}

func TestNowIsAnInput(t *testing.T) {
	later := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	res := lintFixture(t, nil, func(o *Options) { o.Now = later })
	for _, f := range res.Findings {
		if f.RuleID == "GOV-TST-002" && !strings.Contains(f.Message, "now 2030-01-02T02:04:05Z") {
			t.Errorf("input.now not the given time in UTC: %s", f.Message)
		}
	}
}

func TestUnknownEnvironmentIsAnError(t *testing.T) {
	m := load(t, fixture(t, nil))
	o := testOptions(t)
	o.Environments = []string{"prd"}
	_, err := Lint(context.Background(), m, o)
	if err == nil || !strings.Contains(err.Error(), `unknown environment "prd"`) || !strings.Contains(err.Error(), `did you mean "prod"?`) {
		t.Errorf("err = %v", err)
	}
}

func TestEnvironmentsLimitTheRun(t *testing.T) {
	res := lintFixture(t, nil, func(o *Options) { o.Environments = []string{"prod"} })
	for _, f := range res.Findings {
		if strings.Join(f.Environments, ",") != "prod" {
			t.Errorf("finding outside prod: %+v", f)
		}
	}
	if strings.Join(res.Environments, ",") != "prod" {
		t.Errorf("Environments = %v", res.Environments)
	}
}

func TestEvaluationTimesOut(t *testing.T) {
	// 25 million iterations that hold no memory: only the deadline stops them.
	slow := `package shop.slow

violation contains {"msg": "never"} if {
	some i in numbers.range(1, 5000)
	some j in numbers.range(1, 5000)
	i * j == -1
}
`
	m := load(t, fixture(t, map[string]string{"policies/slow.rego": slow}))
	o := testOptions(t)
	o.Timeout = 50 * time.Millisecond
	start := time.Now()
	_, err := Lint(context.Background(), m, o)
	if err == nil || !strings.Contains(err.Error(), "did not finish within 50ms") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %s to stop the evaluation", d)
	}
}

func TestInputDocument(t *testing.T) {
	m := load(t, fixture(t, nil))
	obj := render.Object{Target: render.TargetNacos, Env: "prod", Service: "a", Path: "nacos/prod/a.yaml",
		ID: render.Identity{Kind: "ConfigEntry", Name: "a.yaml"}, Raw: []byte("k: v\n")}
	other := render.Object{Target: render.TargetNacos, Env: "dev", Service: "a", Path: "nacos/dev/a.yaml"}
	doc, err := Input(m, "prod", []render.Object{obj, other}, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if doc.FormatVersion != "1" || doc.Now != "2026-05-01T12:00:00Z" || doc.Environment.Name != "prod" || doc.Platform.Name != "fix" {
		t.Errorf("doc header = %q %q %q %q", doc.FormatVersion, doc.Now, doc.Environment.Name, doc.Platform.Name)
	}
	if doc.Services["a"].Replicas != 3 {
		t.Errorf("services not resolved for prod: a.replicas = %d", doc.Services["a"].Replicas)
	}
	if len(doc.Objects) != 1 || doc.Objects[0].Content != "k: v\n" {
		t.Errorf("objects = %+v, want the prod object with its content", doc.Objects)
	}
	if _, err := Input(m, "qa", nil, fixedNow); err == nil {
		t.Error("Input for an unknown environment: no error")
	}
}
