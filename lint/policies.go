package lint

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/schema"
)

// RuleSetting is a rule as a spec configures it (policies.rules[ID]):
// whether, where, for whom and how strictly it applies, with the
// parameter values in force.
type RuleSetting struct {
	Rule *Rule `json:"rule"`
	// Enabled is false when the spec turns the rule off everywhere.
	Enabled bool `json:"enabled"`
	// Severity is the severity in force: the spec's override, else the
	// rule's own.
	Severity Severity `json:"severity"`
	// Environments limits the rule to these environments; empty means all.
	Environments []string `json:"environments,omitempty"`
	// DisabledIn turns the rule off in these environments only
	// (enabled: false with environments).
	DisabledIn []string `json:"disabledIn,omitempty"`
	// Owners limits the rule to services of these teams; empty means all.
	Owners []string `json:"owners,omitempty"`
	// Reason is why the spec configures the rule as it does.
	Reason string `json:"reason,omitempty"`
	// Params are every parameter with the value in force.
	Params []ParamValue `json:"params,omitempty"`
	// Pos is where the spec configures the rule; zero when it does not.
	Pos schema.Pos `json:"pos,omitzero"`

	// severitySet is whether the spec overrides the severity.
	severitySet bool
}

// AppliesIn reports whether the rule runs in the environment.
func (s *RuleSetting) AppliesIn(env string) bool {
	if !s.Enabled || contains(s.DisabledIn, env) {
		return false
	}
	return len(s.Environments) == 0 || contains(s.Environments, env)
}

// appliesTo reports whether a finding about a service of owner counts;
// owner is empty for findings about no service, which an owners-scoped
// rule does not report.
func (s *RuleSetting) appliesTo(service, owner string) bool {
	if len(s.Owners) == 0 {
		return true
	}
	return service != "" && contains(s.Owners, owner)
}

// severityOf is the severity of a finding from one of the rule's
// documents: the spec's override, the METADATA severity, or for
// conftest-style policies without one, error for deny and warning for warn.
func (s *RuleSetting) severityOf(decision string) Severity {
	if s.severitySet || s.Rule.explicitSeverity || strings.HasPrefix(decision, "violation") {
		return s.Severity
	}
	if strings.HasPrefix(decision, "warn") {
		return SeverityWarning
	}
	return SeverityError
}

// configure applies the spec's policies block to every rule of set. Each
// mistake (an unknown rule id, environment or parameter, a parameter of the
// wrong type or out of range) is an error at the user's file:line.
func configure(m *schema.Model, set *ruleSet) ([]*RuleSetting, []*diag.Diagnostic) {
	var policies map[string]*schema.RulePolicy
	if m.Policies != nil {
		policies = m.Policies.Rules
	}
	var errs []*diag.Diagnostic
	ids := set.ids()
	for _, id := range slices.Sorted(maps.Keys(policies)) {
		if set.byID[id] == nil {
			path := fieldpath.New("policies", "rules", id)
			errs = append(errs, &diag.Diagnostic{Pos: posOf(m, path), Path: path,
				Message: fmt.Sprintf("unknown rule %s%s (`govctl rules` lists them)", id, diag.DidYouMean(id, ids))})
		}
	}
	out := make([]*RuleSetting, 0, len(set.rules))
	for _, r := range set.rules {
		s := &RuleSetting{Rule: r, Enabled: true, Severity: r.Severity}
		p := policies[r.ID]
		var params map[string]any
		if p != nil {
			base := fieldpath.New("policies", "rules", r.ID)
			s.Pos = posOf(m, base)
			if p.Severity != "" {
				sev, err := ParseSeverity(p.Severity)
				if err != nil {
					errs = append(errs, &diag.Diagnostic{Pos: posOf(m, base.Field("severity")), Path: base.Field("severity"), Message: err.Error()})
				}
				s.Severity, s.severitySet = sev, true
			}
			// An unknown environment in p.Environments is a reference
			// error schema.Load reports with the spec's other mistakes.
			switch {
			case p.Enabled != nil && !*p.Enabled && len(p.Environments) > 0:
				s.DisabledIn = p.Environments
			case p.Enabled != nil && !*p.Enabled:
				s.Enabled = false
			default:
				s.Environments = p.Environments
			}
			s.Owners, s.Reason, params = p.Owners, p.Reason, p.Params
		}
		values, perrs := resolveParams(m, r, params)
		errs = append(errs, perrs...)
		s.Params = values
		out = append(out, s)
	}
	return out, errs
}

// failOn is the severity threshold in force: the caller's, else the
// spec's policies.failOn, else error.
func failOn(m *schema.Model, override Severity) (Severity, error) {
	if override != "" {
		return ParseSeverity(string(override))
	}
	if m.Policies != nil && m.Policies.FailOn != "" {
		return ParseSeverity(m.Policies.FailOn)
	}
	return SeverityError, nil
}
