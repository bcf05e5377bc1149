package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/lint/rules"
	"github.com/govctl/govctl/schema"
)

// PolicyDir is the directory of a spec that holds its custom policies
// (*.rego, with tests in *_test.rego beside them).
const PolicyDir = "policies"

// builtinDir names the built-in catalog's files in messages, as they sit
// in govctl's repository.
const builtinDir = "lint/rules"

// The rules the engine itself implements: they judge the spec's
// exceptions, which no Rego rule sees whole.
const (
	RuleExpiredException = "GOV-EXC-001"
	RuleUnknownException = "GOV-EXC-002"
)

var engineRules = []*Rule{
	{
		ID:          RuleExpiredException,
		Title:       "Exceptions must not outlive their expiry date",
		Description: "An exception waives a rule for a service until a date. Once that date has passed the waiver no longer applies, the finding it covered is reported again, and the stale exception is a finding of its own so that someone decides: fix the service, or renew the exception with a new reason.",
		Severity:    SeverityError,
		Remediation: "Fix what the rule flags and delete the exception, or renew it with a later expires date and an up-to-date reason.",
		Scope:       ScopeModel,
		Reads:       ReadsConnected,
		Builtin:     true,
	},
	{
		ID:          RuleUnknownException,
		Title:       "Exceptions must name a known rule and environment",
		Description: "An exception for a rule id that no rule has (a typo, or a rule that was removed) or for an environment the platform does not define waives nothing.",
		Severity:    SeverityWarning,
		Remediation: "Correct the rule id or environment (`govctl rules` lists the rules), or delete the exception.",
		Scope:       ScopeModel,
		Reads:       ReadsConnected,
		Builtin:     true,
	},
}

// regoFile is one parsed policy file.
type regoFile struct {
	// name is the file as messages show it: lint/rules/x.rego for the
	// catalog, policies/x.rego (relative to the spec dir) for custom ones.
	name   string
	module *ast.Module
	test   bool
}

// ruleSet is every rule of the catalog or of a spec, parsed and checked.
type ruleSet struct {
	rules []*Rule // sorted by ID
	byID  map[string]*Rule
	// files are the policy files, rule and test files alike, sorted by name.
	files []*regoFile
}

func (s *ruleSet) ids() []string {
	ids := make([]string, len(s.rules))
	for i, r := range s.rules {
		ids[i] = r.ID
	}
	return ids
}

// modules returns the non-test modules by file name, ready to compile.
func (s *ruleSet) modules() map[string]*ast.Module {
	out := map[string]*ast.Module{}
	for _, f := range s.files {
		if !f.test {
			out[f.name] = f.module
		}
	}
	return out
}

// builtinCatalog is the embedded catalog, parsed once per process.
var builtinCatalog = sync.OnceValues(func() (*ruleSet, error) {
	return catalogFrom(rules.FS)
})

// catalogFrom parses a catalog of built-in rules and adds the rules the
// engine implements.
func catalogFrom(fsys fs.FS) (*ruleSet, error) {
	set, errs := loadFS(fsys, builtinDir, true)
	if len(errs) > 0 {
		return nil, fmt.Errorf("govctl's built-in rules are broken (this is a bug in govctl):\n%w", (&diag.List{Diags: errs}).Err())
	}
	for _, r := range engineRules {
		if prev := set.byID[r.ID]; prev != nil {
			return nil, fmt.Errorf("govctl's built-in rules are broken: %s:%d declares %s, which the engine implements", prev.File, prev.Line, r.ID)
		}
		set.rules = append(set.rules, r)
		set.byID[r.ID] = r
	}
	sortRules(set.rules)
	return set, nil
}

// loadFS parses the *.rego files at the root of fsys. builtin requires a
// complete METADATA block on every rule package under govctl.rules.
func loadFS(fsys fs.FS, prefix string, builtin bool) (*ruleSet, []*diag.Diagnostic) {
	names, err := fs.Glob(fsys, "*.rego")
	if err != nil {
		return nil, []*diag.Diagnostic{{Message: err.Error()}}
	}
	var files []*regoFile
	var errs []*diag.Diagnostic
	for _, n := range names {
		src, err := fs.ReadFile(fsys, n)
		if err != nil {
			errs = append(errs, &diag.Diagnostic{Pos: schema.Pos{File: path.Join(prefix, n)}, Message: err.Error()})
			continue
		}
		f, ferrs := parseFile(path.Join(prefix, n), src)
		errs = append(errs, ferrs...)
		if f != nil {
			files = append(files, f)
		}
	}
	set, serrs := newRuleSet(files, builtin)
	return set, append(errs, serrs...)
}

// loadCustom parses the spec's policies/*.rego; a spec without the
// directory has no custom policies.
func loadCustom(m *schema.Model) (*ruleSet, []*diag.Diagnostic) {
	dir := filepath.Join(m.Dir, PolicyDir)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			return &ruleSet{byID: map[string]*Rule{}}, nil
		}
		return nil, []*diag.Diagnostic{{Pos: schema.Pos{File: PolicyDir}, Message: err.Error()}}
	}
	return loadFS(os.DirFS(dir), PolicyDir, false)
}

func parseFile(name string, src []byte) (*regoFile, []*diag.Diagnostic) {
	mod, err := ast.ParseModuleWithOpts(name, string(src), parserOptions())
	if err != nil {
		return nil, regoErrors(err)
	}
	return &regoFile{name: name, module: mod, test: strings.HasSuffix(name, "_test.rego")}, nil
}

// newRuleSet groups files by package and reads each rule package's
// METADATA. A package without finding documents (violation, deny, warn)
// and without a rule id is a library the rules import.
func newRuleSet(files []*regoFile, builtin bool) (*ruleSet, []*diag.Diagnostic) {
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	set := &ruleSet{byID: map[string]*Rule{}, files: files}
	byPkg := map[string][]*regoFile{}
	for _, f := range files {
		if !f.test {
			pkg := packageName(f.module)
			byPkg[pkg] = append(byPkg[pkg], f)
		}
	}
	testsByFile := map[string][]*ast.Module{}
	for _, f := range files {
		if f.test {
			src := strings.TrimSuffix(f.name, "_test.rego") + ".rego"
			testsByFile[src] = append(testsByFile[src], f.module)
		}
	}
	var errs []*diag.Diagnostic
	for _, pkg := range slices.Sorted(maps.Keys(byPkg)) {
		mods := byPkg[pkg]
		isRule := false
		for _, f := range mods {
			a := packageAnnotation(f.module)
			if len(decisionsOf(f.module)) > 0 || (a != nil && a.Custom["id"] != nil) {
				isRule = true
			}
		}
		if builtin && strings.HasPrefix(pkg, "govctl.rules.") {
			isRule = true
		}
		if !isRule {
			continue
		}
		r, rerrs := ruleFromModules(pkg, mods, builtin)
		errs = append(errs, rerrs...)
		if r == nil || len(rerrs) > 0 {
			continue
		}
		r.Builtin = builtin
		if len(r.Examples) == 0 {
			for _, f := range mods {
				r.Examples = append(r.Examples, examplesFromTests(testsByFile[f.name])...)
			}
		}
		if prev, dup := set.byID[r.ID]; dup {
			errs = append(errs, &diag.Diagnostic{Pos: schema.Pos{File: r.File, Line: r.Line}, Message: fmt.Sprintf("rule id %s is already declared by package %s (%s:%d)", r.ID, prev.Package, prev.File, prev.Line)})
			continue
		}
		set.byID[r.ID] = r
		set.rules = append(set.rules, r)
	}
	sortRules(set.rules)
	return set, errs
}

func sortRules(rs []*Rule) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
}

// merge returns the catalog and a spec's custom policies as one set. A
// custom policy may not reuse a built-in package, a rule id, or the
// data.govctl.params document the engine provides.
func merge(catalog, custom *ruleSet) (*ruleSet, []*diag.Diagnostic) {
	out := &ruleSet{byID: map[string]*Rule{}}
	out.files = append(append(out.files, catalog.files...), custom.files...)
	for _, r := range catalog.rules {
		out.byID[r.ID] = r
		out.rules = append(out.rules, r)
	}
	builtinPkgs := map[string]bool{}
	for _, f := range catalog.files {
		builtinPkgs[packageName(f.module)] = true
	}
	var errs []*diag.Diagnostic
	for _, f := range custom.files {
		pkg := packageName(f.module)
		pos := schema.Pos{File: f.name, Line: f.module.Package.Location.Row, Column: f.module.Package.Location.Col}
		switch {
		case builtinPkgs[pkg] && !f.test:
			errs = append(errs, &diag.Diagnostic{Pos: pos, Message: fmt.Sprintf("package %s is a built-in rule package; name custom policies differently (e.g. package shop.%s)", pkg, pkg[strings.LastIndex(pkg, ".")+1:])})
		case pkg == "govctl.params" || strings.HasPrefix(pkg, "govctl.params."):
			errs = append(errs, &diag.Diagnostic{Pos: pos, Message: fmt.Sprintf("package %s is reserved: data.govctl.params holds the rule parameters govctl provides", pkg)})
		}
	}
	for _, r := range custom.rules {
		if prev, dup := out.byID[r.ID]; dup {
			errs = append(errs, &diag.Diagnostic{Pos: schema.Pos{File: r.File, Line: r.Line}, Message: fmt.Sprintf("rule id %s is already the id of built-in rule %q; custom rules need their own ids", r.ID, prev.Title)})
			continue
		}
		out.byID[r.ID] = r
		out.rules = append(out.rules, r)
	}
	sortRules(out.rules)
	return out, errs
}
