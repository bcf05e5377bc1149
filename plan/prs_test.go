package plan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/targets"
	"github.com/govctl/govctl/schema"
)

// realRender renders with govctl's own renderers, so that the pull-request
// fixtures show the evidence a reviewer sees. (The plan package itself never
// imports a renderer; only this test does.)
func realRender(ctx context.Context, m *schema.Model) ([]render.Object, error) {
	opts := targets.Options{}
	opts.GitHub.SpecDir = "specs"
	return targets.Render(ctx, m, m.EnvironmentNames(), opts)
}

// prNow is the day the fixtures are planned on: exceptions expire by it.
var prNow = time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)

// TestPullRequests are realistic pull requests on examples/shop, planned
// with the real renderers and lint: golden Markdown (as the PR comment
// renders), text and JSON in testdata/prs, reviewed in the diff. Each case
// says what a reviewer must see first.
func TestPullRequests(t *testing.T) {
	tests := []struct {
		name   string
		base   func(r *gitRepo)
		change func(r *gitRepo)
		// risk is the verdict; first is the first "Review first" line's
		// start, or "" when nothing is high or medium.
		risk  Risk
		first string
		// check, when set, asserts more of the plan.
		check func(t *testing.T, p *Plan)
	}{
		{
			name: "small_version_bump",
			change: func(r *gitRepo) {
				r.replace("specs/services/users.cue", `version: "v5.2.0"`, `version: "v5.2.1"`)
			},
			risk:  RiskMedium,
			first: "- 🟠 **users** · prod · also staging, dev — deploys users v5.2.0 → v5.2.1 to prod through its canary",
		},
		{
			name: "risky",
			change: func(r *gitRepo) {
				r.replace("specs/services/gateway.cue", "rateLimit: {rps: 2000,", "rateLimit: {rps: 600,")
				r.replace("specs/services/orders.cue", "		inventory: {timeout: \"300ms\", retries: {attempts: 2, perTryTimeout: \"100ms\"}}\n", "")
				r.replace("specs/services/payments.cue", "errorThreshold: 0.02", "errorThreshold: 0.1")
				r.replace("specs/services/users.cue", `version: "v5.2.0"`, `version: "v5.3.0"`)
			},
			risk:  RiskHigh,
			first: "- 🔴 **gateway** · prod — gateway's rate limit cut 70% (2000 → 600 rps) in prod",
		},
		{
			name: "rename",
			change: func(r *gitRepo) {
				r.remove("specs/services/notifications.cue")
				data, err := os.ReadFile(filepath.Join("..", "examples", "shop", "services", "notifications.cue"))
				if err != nil {
					r.t.Fatal(err)
				}
				r.write("specs/services/notify.cue", strings.Replace(string(data), "services: notifications:", "services: notify:", 1))
				r.replace("specs/services/orders.cue", "notifications: {timeout", "notify: {timeout")
			},
			risk:  RiskMedium,
			first: "- 🟠 **notify** · prod, staging · also dev — notifications is renamed notify in prod",
		},
		{
			name: "policy_loosening",
			change: func(r *gitRepo) {
				r.replace("specs/policies.cue", `failOn: "warning"`, `failOn: "error"`)
				r.replace("specs/policies.cue", "maxFirstCanaryStep: 20", "maxFirstCanaryStep: 40")
				r.replace("specs/services/orders.cue", `	slo: {availability: 99.95`, `	exceptions: [{rule: "GOV-RES-001", reason: "breaker rework in ORD-311", expires: "2030-01-01"}]
	slo: {availability: 99.95`)
			},
			risk:  RiskHigh,
			first: "- 🔴 **policies** · all environments — lint fails only on error now (was warning)",
		},
		{
			name: "unrendered_change",
			base: func(r *gitRepo) {
				r.replace("specs/environments/environments.cue", "maxErrorRate: 0.005}", `maxErrorRate: 0.005}, waitTimer: "10m"`)
			},
			change: func(r *gitRepo) {
				r.replace("specs/services/payments.cue", "env: prod: replicas: 4", "env: prod: replicas: 1")
				r.replace("specs/environments/environments.cue", `waitTimer: "10m"`, `waitTimer: "0s"`)
				r.replace("specs/services/payments.cue", "critical: true}", "critical: false}")
			},
			risk:  RiskHigh,
			first: "- 🔴 **environment prod** — wait timer cut 10m → 0s in prod",
		},
		{
			name: "dev_only",
			change: func(r *gitRepo) {
				r.replace("specs/services/orders.cue", "dev: {config: data: db: maxOpen: 5}", `dev: {timeout: "3s", config: data: db: maxOpen: 5}`)
			},
			risk: RiskLow,
		},
		{
			// A mutable tag: the version bump alone is a deploy (medium),
			// the error lint now reports makes the plan high.
			name: "new_finding",
			change: func(r *gitRepo) {
				r.replaceRe("specs/services/users.cue", `version: "v[0-9.]+"`, `version: "latest"`)
			},
			risk:  RiskHigh,
			first: "- 🔴 **users** · prod, staging, dev — new error GOV-",
		},
		{
			name: "dependency_rewire",
			change: func(r *gitRepo) {
				r.replaceRe("specs/services/gateway.cue", `inventory: \{timeout: "[0-9]+ms", retries: \{[^}]*\}\}`, `"orders-lite": {timeout: "400ms"}`)
			},
			risk:  RiskHigh,
			first: "- 🔴 **gateway** · prod · also staging, dev — inventory now rejects gateway in prod",
		},
		{
			// One edit of the platform's defaults and one of prod's: each is
			// one change at the defaults field, listing the services and
			// environments it reaches, not one change per service.
			name: "defaults",
			change: func(r *gitRepo) {
				r.replace("specs/govctl.cue", "errorThreshold: 0.05}", "errorThreshold: 0.1}")
				r.replace("specs/environments/environments.cue", "defaults: {replicas: 3}", "defaults: {replicas: 2}")
			},
			risk:  RiskHigh,
			first: "- 🔴 **platform** · prod, staging · also dev — events' circuit breaker loosened (errorThreshold 0.05 → 0.1) in prod",
			check: func(t *testing.T, p *Plan) {
				want := map[string]string{
					"platform.defaults.resilience.circuitBreaker.errorThreshold": "events gateway inventory orders-db orders-lite payments-cache users",
					"environments.prod.defaults.replicas":                        "inventory notifications orders-lite",
				}
				for _, c := range p.Changes {
					if c.Scope == ScopeService {
						t.Errorf("a defaults edit left a per-service change: %s %s", c.Service, c.Path)
						continue
					}
					if w, ok := want[c.Path.String()]; ok {
						if got := strings.Join(c.Services, " "); got != w {
							t.Errorf("%s reaches %q, want %q", c.Path, got, w)
						}
						if len(c.Objects) == 0 {
							t.Errorf("%s has no evidence", c.Path)
						}
						delete(want, c.Path.String())
					}
				}
				for path := range want {
					t.Errorf("no change at %s", path)
				}
				// High as the riskiest service it reaches (critical events
				// in prod), low where that service is rated low (dev).
				if c := p.Changes[0]; c.Risk != RiskHigh || c.Risks["dev"] != RiskLow {
					t.Errorf("defaults breaker change rated %s (%v), want high, low in dev", c.Risk, c.Risks)
				}
			},
		},
		{
			name: "secret_literal",
			change: func(r *gitRepo) {
				r.replace("specs/services/payments.cue", `provider: {name: "stripe", endpoint: "https://api.stripe.com"}`, `provider: {name: "stripe", endpoint: "https://api.stripe.com", apiKey: "sk_live_51HxQz2eZvKYlo2C"}`)
			},
			risk:  RiskHigh,
			first: "- 🔴 **payments** · prod, staging, dev — payments: a sensitive value (config.data.provider.apiKey) is written in the spec",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, m := shopPullRequest(t, tt.base, tt.change)
			p, err := Compute(context.Background(), Options{
				Model:    m,
				Render:   realRender,
				Baseline: NewGitBaseline(r.path("specs"), "main", realRender),
				Lint:     true,
				Now:      prNow,
			})
			if err != nil {
				t.Fatal(err)
			}
			p.Command = "govctl plan --dir specs --base main"
			if !p.HasChanges() {
				t.Fatal("a spec edit planned as no changes")
			}
			if got := p.HighestRisk(); got != tt.risk {
				t.Errorf("HighestRisk() = %q, want %q", got, tt.risk)
			}
			md := report(t, &MarkdownReporter{}, p)
			if tt.first != "" {
				_, after, ok := strings.Cut(string(md), "#### Review first\n\n")
				if !ok || !strings.HasPrefix(after, tt.first) {
					line, _, _ := strings.Cut(after, "\n")
					t.Errorf("first line to review:\n got %s\nwant %s…", line, tt.first)
				}
			}
			if len(md) > MaxMarkdown {
				t.Errorf("markdown is %d characters, over the comment limit", len(md))
			}
			if tt.check != nil {
				tt.check(t, p)
			}
			golden(t, "prs/"+tt.name+".md", md)
			golden(t, "prs/"+tt.name+".txt", report(t, &TextReporter{}, p))
			golden(t, "prs/"+tt.name+".json", report(t, &JSONReporter{}, p))
		})
	}
}
