package lint

import (
	"fmt"
	"regexp"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/schema"
)

// SecretRuleID is the rule whose parameters define which config values are
// secrets, for the rule and for the redaction of every output.
const SecretRuleID = "GOV-SEC-003"

// SecretMatcher returns the one definition of sensitive for a model: the
// secret rule's parameters in force (its METADATA defaults, overridden by
// the spec's policies.rules["GOV-SEC-003"].params), the keys each service
// marks sensitive in config.sensitive (in any environment), and every
// sensitive literal of config data in every environment, for a Scrubber.
// The rule's parameters are read where the rule reads them, so the rule
// and the redaction cannot disagree. A mistake in those parameters is
// returned as *diag.List, as lint reports it. The matcher redacts
// whether or not the rule is enabled: turning off a finding does not make
// a password public.
func SecretMatcher(m *schema.Model) (*secret.Matcher, error) {
	set, err := builtinCatalog()
	if err != nil {
		return nil, err
	}
	rule := set.byID[SecretRuleID]
	if rule == nil {
		return nil, fmt.Errorf("govctl's built-in rule %s is missing (this is a bug in govctl)", SecretRuleID)
	}
	var params map[string]any
	if m.Policies != nil && m.Policies.Rules[SecretRuleID] != nil {
		params = m.Policies.Rules[SecretRuleID].Params
	}
	values, errs := resolveParams(m, rule, params)
	if len(errs) > 0 {
		return nil, (&diag.List{Dir: m.Dir, Diags: errs}).Err()
	}
	var p secret.Patterns
	targets := map[string]**regexp.Regexp{"pattern": &p.Key, "valuePattern": &p.Value, "placeholderPattern": &p.Placeholder}
	for _, v := range values {
		target := targets[v.Name]
		if target == nil {
			continue
		}
		s, _ := v.Value.(string)
		re, err := regexp.Compile(s)
		if err != nil {
			path := fieldpath.New("policies", "rules", SecretRuleID, "params", v.Name)
			d := diag.Errorf(v.Pos, path, "parameter %s of rule %s is not a regular expression (%v)", v.Name, SecretRuleID, err)
			return nil, (&diag.List{Dir: m.Dir, Diags: []*diag.Diagnostic{d}}).Err()
		}
		*target = re
	}
	matcher := secret.NewMatcher(p)
	envs := make([]*schema.Resolved, 0, len(m.Environments))
	for _, env := range m.EnvironmentNames() {
		r, err := m.Resolve(env)
		if err != nil {
			return nil, fmt.Errorf("secret matcher: %w", err)
		}
		envs = append(envs, r)
	}
	// Keys first: a key one environment marks is sensitive in all of them.
	for _, r := range envs {
		for name, svc := range r.Services {
			matcher.MarkKeys(name, svc.Config.Sensitive...)
		}
	}
	data := fieldpath.New("config", "data")
	for _, r := range envs {
		for name, svc := range r.Services {
			matcher.Collect(name, data, svc.Config.Data)
		}
	}
	return matcher, nil
}
