package plan

import "github.com/govctl/govctl/render"

// Loosening directions of a lint-rule parameter (LintRuleSetting.Looser).
const (
	// LooserHigher: a higher value lets more through (a maximum, such as
	// a maximum timeout or error rate).
	LooserHigher = "higher"
	// LooserLower: a lower value lets more through (a minimum, such as a
	// minimum number of replicas or approvals).
	LooserLower = "lower"
)

// LintRuleSetting is the Value of a lint-rule pseudo-object: a rule as it
// is in force in one environment, so that a plan shows (and rates)
// governance being relaxed, not only the objects it governs.
type LintRuleSetting struct {
	// Enabled is whether the rule runs in the environment.
	Enabled bool `json:"enabled"`
	// Severity is the severity in force: "error", "warning" or "info".
	Severity string `json:"severity"`
	// Params are the parameter values in force, defaults included.
	Params map[string]any `json:"params,omitempty"`
	// Looser says, per parameter, which direction loosens the rule:
	// LooserHigher or LooserLower. A parameter without a direction is
	// rated like any other change; one with a direction is rated as
	// loosened (high in prod) when it moves that way. A rule declares
	// the direction with its parameters (e.g. METADATA custom.params
	// looser: higher), the caller copies it here.
	Looser map[string]string `json:"looser,omitempty"`
}

// PolicyObject returns the pseudo-object of lint rule ruleID as in force
// in env. The RenderFunc given to Compute (and to a GitBaseline) appends
// one per rule and environment, so that both sides of a plan carry them:
//
//	Target TargetPolicy, Env env, ID {Kind: "LintRule", Name: ruleID},
//	Value LintRuleSetting.
//
// They have no output path: render.Write must not be given them, and
// DirBaseline and NacosBaseline do not cover them.
func PolicyObject(env, ruleID string, s LintRuleSetting) render.Object {
	return render.Object{
		Target: TargetPolicy,
		Env:    env,
		ID:     render.Identity{Kind: LintRuleKind, Name: ruleID},
		Value:  s,
	}
}
