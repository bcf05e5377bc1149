package plan

import (
	"context"
	"testing"

	"github.com/govctl/govctl/internal/testutil"
	"github.com/govctl/govctl/lint"
)

func TestLintPolicyObjectsAreEveryRuleInEveryEnvironment(t *testing.T) {
	ctx := context.Background()
	m := testutil.LoadShop(t)
	settings, err := lint.Rules(ctx, m, lint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := LintPolicyObjects(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	envs := m.EnvironmentNames()
	if len(settings) == 0 || len(objs) != len(envs)*len(settings) {
		t.Fatalf("%d objects for %d environments and %d rules", len(objs), len(envs), len(settings))
	}
	seen := map[string]bool{}
	for _, o := range objs {
		if o.Target != TargetPolicy || o.ID.Kind != LintRuleKind || o.Path != "" {
			t.Fatalf("not a lint-rule pseudo-object: %+v", o)
		}
		if _, ok := o.Value.(LintRuleSetting); !ok {
			t.Fatalf("%s/%s: value %T", o.Env, o.ID.Name, o.Value)
		}
		seen[o.Env+"/"+o.ID.Name] = true
	}
	if len(seen) != len(objs) {
		t.Errorf("%d distinct env/rule pairs among %d objects", len(seen), len(objs))
	}
}
