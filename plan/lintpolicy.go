package plan

import (
	"context"

	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// LintPolicyObjects returns the pseudo-object (PolicyObject) of every lint
// rule in every environment of m, as the spec's policies put it in force
// there: whether it runs, its severity, its parameters and which way each
// parameter loosens the rule.
func LintPolicyObjects(ctx context.Context, m *schema.Model) ([]render.Object, error) {
	settings, err := lint.Rules(ctx, m, lint.Options{})
	if err != nil {
		return nil, err
	}
	var objs []render.Object
	for _, env := range m.EnvironmentNames() {
		for _, s := range settings {
			params, looser := map[string]any{}, map[string]string{}
			for _, p := range s.Params {
				params[p.Name] = p.Value
				if p.Looser != "" {
					looser[p.Name] = p.Looser
				}
			}
			objs = append(objs, PolicyObject(env, s.Rule.ID, LintRuleSetting{
				Enabled: s.AppliesIn(env), Severity: string(s.Severity), Params: params, Looser: looser,
			}))
		}
	}
	return objs, nil
}

// WithLintPolicies returns a RenderFunc that renders with r and appends
// LintPolicyObjects, so that a plan shows governance being relaxed too.
func WithLintPolicies(r RenderFunc) RenderFunc {
	return func(ctx context.Context, m *schema.Model) ([]render.Object, error) {
		objs, err := r(ctx, m)
		if err != nil {
			return nil, err
		}
		policies, err := LintPolicyObjects(ctx, m)
		if err != nil {
			return nil, err
		}
		return append(objs, policies...), nil
	}
}
