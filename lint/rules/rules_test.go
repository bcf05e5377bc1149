package rules_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/lint/rules"
)

// TestRegoTests runs every *_test.rego of the catalog with OPA's tester,
// in lint's sandbox, and fails on any failing or erroring test.
func TestRegoTests(t *testing.T) {
	results, err := lint.TestFS(context.Background(), rules.FS, "lint/rules", lint.TestOptions{})
	if err != nil {
		t.Fatalf("loading the catalog's tests: %v", err)
	}
	if len(results) == 0 {
		t.Fatal("the catalog has no tests")
	}
	for _, r := range results {
		t.Run(strings.TrimPrefix(r.Package, "data.")+"."+r.Name, func(t *testing.T) {
			switch {
			case r.Error != "":
				t.Errorf("%s:%d: %s errored: %s", r.File, r.Line, r.Name, r.Error)
			case r.Fail:
				t.Errorf("%s:%d: %s failed%s", r.File, r.Line, r.Name, output(r.Output))
			case r.Skip:
				t.Skipf("%s:%d: skipped", r.File, r.Line)
			}
		})
	}
}

func output(s string) string {
	if s == "" {
		return ""
	}
	return "; it printed:\n" + s
}

// TestEveryRuleHasValidMetadataAndTests checks that the catalog loads
// (every rule file has a complete, valid METADATA block with a unique id)
// and that every rule file has a _test.rego beside it.
func TestEveryRuleHasValidMetadataAndTests(t *testing.T) {
	catalog, err := lint.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]*lint.Rule{}
	for _, r := range catalog {
		if r.File != "" {
			byFile[strings.TrimPrefix(r.File, "lint/rules/")] = r
		}
	}
	names, err := fs.Glob(rules.FS, "*.rego")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.rego") {
			tests[strings.TrimSuffix(n, "_test.rego")+".rego"] = true
		}
	}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.rego") {
			continue
		}
		r := byFile[n]
		if r == nil {
			t.Errorf("%s: not a rule of the catalog (no package govctl.rules.* with METADATA and violation)", n)
			continue
		}
		if !tests[n] {
			t.Errorf("%s (%s): no %s beside it", n, r.ID, strings.TrimSuffix(n, ".rego")+"_test.rego")
		}
		if len(r.Examples) == 0 {
			t.Errorf("%s (%s): no examples (METADATA custom.examples, or tests named _fails / _passes)", n, r.ID)
		}
	}
}
