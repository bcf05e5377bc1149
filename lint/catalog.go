package lint

import (
	"context"
	"fmt"
	"strings"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/schema"
)

// Catalog returns govctl's built-in rules, those of lint/rules and those
// the engine implements (GOV-EXC-*), sorted by id.
func Catalog() ([]*Rule, error) {
	set, err := builtinCatalog()
	if err != nil {
		return nil, err
	}
	return append([]*Rule(nil), set.rules...), nil
}

// Rules returns every rule, built-in and custom, with the spec's
// configuration applied, sorted by id: what `govctl rules` lists. A
// mistake in the spec's policies block or in a custom policy (one that
// does not compile in the sandbox included) is returned as
// *diag.List.
func Rules(ctx context.Context, m *schema.Model, opts Options) ([]*RuleSetting, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	set, settings, err := loadRules(m, opts)
	if err != nil {
		return nil, err
	}
	if _, err := compile(m, set); err != nil {
		return nil, err
	}
	return settings, nil
}

// FindRule returns the setting of rule id; an unknown id is an error that
// suggests the nearest known one.
func FindRule(settings []*RuleSetting, id string) (*RuleSetting, error) {
	ids := make([]string, len(settings))
	for i, s := range settings {
		if strings.EqualFold(s.Rule.ID, id) {
			return s, nil
		}
		ids[i] = s.Rule.ID
	}
	return nil, fmt.Errorf("unknown rule %s%s (`govctl rules` lists them)", id, diag.DidYouMean(id, ids))
}
