package lint

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/schema"
)

// Rule is a lint rule as its METADATA block declares it.
type Rule struct {
	// ID names the rule in findings, policies and exceptions (GOV-REG-001).
	// A custom policy without custom.id is named by its package path.
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Severity    Severity `json:"severity"`
	Remediation string   `json:"remediation,omitempty"`
	// Params are the rule's parameters, sorted by name.
	Params []Param `json:"params,omitempty"`
	Scope  Scope   `json:"scope"`
	// Reads is how much of the platform the rule reads about a service.
	Reads Reads `json:"reads"`
	// Package is the Rego package without the data. prefix
	// (govctl.rules.reg_001); empty for rules the engine implements.
	Package string `json:"package,omitempty"`
	// File and Line are where the rule's package is declared: under
	// lint/rules/ for a built-in rule, relative to the spec directory for a
	// custom policy; empty for rules the engine implements.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Builtin is true for govctl's own rules.
	Builtin bool `json:"builtin"`
	// Examples are the rule's failing and passing examples: METADATA
	// custom.examples when given, else the tests in the rule's _test.rego.
	Examples []Example `json:"examples,omitempty"`

	// decisions are the rule documents that hold findings, in package
	// order: violation, and deny / warn for conftest-style policies.
	decisions []string
	// explicitSeverity is whether METADATA set the severity; conftest
	// deny / warn documents otherwise give error / warning.
	explicitSeverity bool
}

// Param is one parameter a rule declares in METADATA custom.params.
type Param struct {
	Name string `json:"name"`
	// Type is number, integer, string, boolean, array or object.
	Type        string   `json:"type"`
	Default     any      `json:"default"`
	Minimum     *float64 `json:"minimum,omitempty"`
	Maximum     *float64 `json:"maximum,omitempty"`
	Enum        []any    `json:"enum,omitempty"`
	Description string   `json:"description,omitempty"`
	// Looser says which way the parameter weakens its rule: "higher" (a
	// maximum such as maxFirstCanaryStep) or "lower" (a minimum such as
	// minApprovals); plan rates a loosening in prod as high risk.
	Looser string `json:"looser,omitempty"`
}

// Example is a failing or passing case of a rule.
type Example struct {
	Name string `json:"name"`
	// Pass is true for a case the rule accepts, false for one it flags.
	Pass bool `json:"pass"`
	// Source is the example: a spec snippet from METADATA, or the text of
	// the test rule.
	Source string `json:"source"`
}

// ruleIDPattern is the id shape the schema accepts in policies.rules and
// exceptions.
var ruleIDPattern = regexp.MustCompile(`^[A-Z]+(-[A-Z]+)*-[0-9]{3}$`)

// decisionPattern matches the rule names that hold findings, as conftest
// names them: violation, deny, warn, optionally with a _suffix.
var decisionPattern = regexp.MustCompile(`^(violation|deny|warn)(_[A-Za-z0-9_]+)?$`)

var paramTypes = []string{"number", "integer", "string", "boolean", "array", "object"}

// decisionsOf returns the finding documents a module defines, sorted.
func decisionsOf(mod *ast.Module) []string {
	seen := map[string]bool{}
	for _, r := range mod.Rules {
		ref := r.Head.Ref()
		if len(ref) == 0 {
			continue
		}
		v, ok := ref[0].Value.(ast.Var)
		if !ok || !decisionPattern.MatchString(string(v)) {
			continue
		}
		seen[string(v)] = true
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// packageAnnotation returns the module's package-scope METADATA, if any.
func packageAnnotation(mod *ast.Module) *ast.Annotations {
	for _, a := range mod.Annotations {
		if a.Scope == "package" {
			return a
		}
	}
	return nil
}

// packageName is a module's package path without the data. prefix.
func packageName(mod *ast.Module) string {
	return strings.TrimPrefix(mod.Package.Path.String(), "data.")
}

// ruleFromModules builds the rule a package's modules define. requireID is
// set for built-in rules, which must carry a complete METADATA block.
func ruleFromModules(pkg string, mods []*regoFile, requireID bool) (*Rule, []*diag.Diagnostic) {
	r := &Rule{Package: pkg, Scope: ScopeModel, Reads: ReadsPlatform, File: mods[0].name, Line: mods[0].module.Package.Location.Row}
	seen := map[string]bool{}
	var ann *ast.Annotations
	annFile := mods[0]
	for _, f := range mods {
		for _, d := range decisionsOf(f.module) {
			if !seen[d] {
				seen[d] = true
				r.decisions = append(r.decisions, d)
			}
		}
		if a := packageAnnotation(f.module); a != nil && ann == nil {
			ann, annFile = a, f
			r.File, r.Line = f.name, f.module.Package.Location.Row
		}
	}
	sort.Strings(r.decisions)
	var errs []*diag.Diagnostic
	fail := func(format string, args ...any) {
		line := r.Line
		if ann != nil && ann.Location != nil {
			line = ann.Location.Row
		}
		errs = append(errs, &diag.Diagnostic{Pos: schema.Pos{File: annFile.name, Line: line}, Message: fmt.Sprintf(format, args...)})
	}
	if ann == nil {
		if requireID {
			fail("package %s has no METADATA block (want title, description and custom: id, severity, remediation)", pkg)
			return nil, errs
		}
		r.ID, r.Title, r.Severity = pkg, pkg, SeverityError
		return r, nil
	}
	r.Title, r.Description = strings.TrimSpace(ann.Title), strings.TrimSpace(ann.Description)
	custom := ann.Custom
	str := func(key string) string {
		v, ok := custom[key]
		if !ok {
			return ""
		}
		s, ok := v.(string)
		if !ok {
			fail("METADATA custom.%s must be a string, not %s", key, typeName(v))
		}
		return strings.TrimSpace(s)
	}
	r.ID = str("id")
	switch {
	case r.ID == "" && requireID:
		fail("METADATA has no custom.id (e.g. GOV-REG-001)")
	case r.ID == "":
		r.ID = pkg
	case !ruleIDPattern.MatchString(r.ID):
		fail("METADATA custom.id %q is not a rule id: want letters, dashes and three digits (GOV-REG-001)", r.ID)
	}
	if r.Title == "" {
		if requireID {
			fail("METADATA has no title")
		}
		r.Title = r.ID
	}
	if r.Description == "" && requireID {
		fail("METADATA has no description")
	}
	r.Remediation = str("remediation")
	if r.Remediation == "" && requireID {
		fail("METADATA has no custom.remediation")
	}
	r.Severity = SeverityError
	if s := str("severity"); s != "" {
		sev, err := ParseSeverity(s)
		if err != nil {
			fail("METADATA custom.severity: %v", err)
		}
		r.Severity, r.explicitSeverity = sev, true
	} else if requireID {
		fail("METADATA has no custom.severity (error, warning or info)")
	}
	if s := str("scope"); s != "" {
		switch Scope(s) {
		case ScopeModel, ScopeObjects:
			r.Scope = Scope(s)
		default:
			fail("METADATA custom.scope %q: want model or objects", s)
		}
	}
	switch s := str("reads"); Reads(s) {
	case ReadsConnected, ReadsPlatform:
		r.Reads = Reads(s)
	case "":
		if requireID {
			fail("METADATA has no custom.reads (connected or platform)")
		}
	default:
		fail("METADATA custom.reads %q: want connected (a finding about a service depends only on the services connected to it) or platform", s)
	}
	params, perrs := parseParams(custom["params"])
	for _, e := range perrs {
		fail("METADATA custom.params: %s", e)
	}
	r.Params = params
	examples, eerrs := parseExamples(custom["examples"])
	for _, e := range eerrs {
		fail("METADATA custom.examples: %s", e)
	}
	r.Examples = examples
	if len(r.decisions) == 0 {
		fail("package %s declares rule %s but defines no `violation contains f if {...}` (or deny / warn)", pkg, r.ID)
	}
	return r, errs
}

// parseParams reads METADATA custom.params: a map of name to schema.
func parseParams(v any) ([]Param, []string) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, []string{fmt.Sprintf("must be a map of parameter name to {type, default, description}, not %s", typeName(v))}
	}
	var errs []string
	var out []Param
	for _, name := range slices.Sorted(maps.Keys(m)) {
		spec, ok := m[name].(map[string]any)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: must be a map with type, default and description", name))
			continue
		}
		p := Param{Name: name}
		p.Type, _ = spec["type"].(string)
		if !contains(paramTypes, p.Type) {
			errs = append(errs, fmt.Sprintf("%s: type %v: want one of %s", name, spec["type"], strings.Join(paramTypes, ", ")))
			continue
		}
		p.Description, _ = spec["description"].(string)
		if l, ok := spec["looser"]; ok {
			p.Looser, _ = l.(string)
			if p.Looser != "higher" && p.Looser != "lower" {
				errs = append(errs, fmt.Sprintf("%s: looser %v: want higher or lower", name, l))
			}
		}
		for _, bound := range []struct {
			key string
			dst **float64
		}{{"minimum", &p.Minimum}, {"maximum", &p.Maximum}} {
			if b, ok := spec[bound.key]; ok {
				f, ok := toNumber(b)
				if !ok {
					errs = append(errs, fmt.Sprintf("%s: %s must be a number", name, bound.key))
					continue
				}
				*bound.dst = &f
			}
		}
		if e, ok := spec["enum"]; ok {
			list, ok := e.([]any)
			if !ok || len(list) == 0 {
				errs = append(errs, fmt.Sprintf("%s: enum must be a non-empty list", name))
			}
			p.Enum = list
		}
		d, ok := spec["default"]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: no default (the engine always passes every parameter)", name))
			continue
		}
		p.Default = normalize(d)
		if msg := p.check(p.Default); msg != "" {
			errs = append(errs, fmt.Sprintf("%s: default %s", name, msg))
		}
		out = append(out, p)
	}
	return out, errs
}

// parseExamples reads METADATA custom.examples, either a map
// {fail: spec, pass: spec} (each a snippet or a list of snippets) or a
// list of {name, pass, spec}.
func parseExamples(v any) ([]Example, []string) {
	var out []Example
	var errs []string
	switch v := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		for _, kind := range slices.Sorted(maps.Keys(v)) {
			if kind != "fail" && kind != "pass" {
				errs = append(errs, fmt.Sprintf("%s: want fail or pass", kind))
				continue
			}
			snippets := []any{v[kind]}
			if list, ok := v[kind].([]any); ok {
				snippets = list
			}
			for i, sn := range snippets {
				src, ok := sn.(string)
				if !ok || strings.TrimSpace(src) == "" {
					errs = append(errs, fmt.Sprintf("%s: must be a spec snippet or a list of them", kind))
					continue
				}
				name := kind
				if len(snippets) > 1 {
					name = fmt.Sprintf("%s %d", kind, i+1)
				}
				out = append(out, Example{Name: name, Pass: kind == "pass", Source: strings.TrimRight(src, "\n")})
			}
		}
	case []any:
		for i, item := range v {
			m, ok := item.(map[string]any)
			if !ok {
				errs = append(errs, fmt.Sprintf("[%d]: must be a map {name, pass, spec}", i))
				continue
			}
			ex := Example{}
			ex.Name, _ = m["name"].(string)
			ex.Pass, _ = m["pass"].(bool)
			ex.Source, _ = m["spec"].(string)
			if strings.TrimSpace(ex.Source) == "" {
				errs = append(errs, fmt.Sprintf("[%d]: spec must be a non-empty string", i))
				continue
			}
			ex.Source = strings.TrimRight(ex.Source, "\n")
			out = append(out, ex)
		}
	default:
		errs = append(errs, "must be {fail: spec, pass: spec} or a list of {name, pass, spec}")
	}
	// Failing examples first: they show what the rule is about.
	sort.SliceStable(out, func(i, j int) bool { return !out[i].Pass && out[j].Pass })
	return out, errs
}

// Test names say which way a test goes: a word from passingTestWords or a
// phrase from passingTestPhrases marks a case the rule accepts, a word from
// failingTestWords one it flags.
var (
	passingTestWords   = []string{"pass", "passes", "ok", "allow", "allows", "allowed", "accept", "accepts", "accepted", "clean", "good", "valid", "compliant", "ignores", "ignored"}
	passingTestPhrases = []string{"no_violation", "no_finding", "not_flagged", "no_warning", "no_error"}
	failingTestWords   = []string{"fail", "fails", "flag", "flags", "flagged", "violation", "violates", "deny", "denies", "denied", "rejects", "rejected", "warns"}
)

// examplesFromTests turns a rule's tests into examples, for rules whose
// METADATA has none: a test named with a word such as passes, ok or
// allows (split at underscores), or a phrase such as no_violation, is a
// passing example; one named with fails, flags or violation a failing
// one; a test whose name says neither is not an example.
func examplesFromTests(mods []*ast.Module) []Example {
	var out []Example
	seen := map[string]bool{}
	for _, mod := range mods {
		for _, r := range mod.Rules {
			name := r.Head.Name.String()
			if name == "" {
				name = r.Head.Ref().String()
			}
			if !strings.HasPrefix(name, "test_") || seen[name] {
				continue
			}
			seen[name] = true
			pass, fail := false, false
			for _, w := range strings.Split(strings.TrimPrefix(name, "test_"), "_") {
				w = strings.ToLower(w)
				pass = pass || contains(passingTestWords, w)
				fail = fail || contains(failingTestWords, w)
			}
			for _, p := range passingTestPhrases {
				if strings.Contains(name, p) {
					pass, fail = true, false
				}
			}
			if pass == fail {
				continue
			}
			src := ""
			if r.Location != nil {
				src = string(r.Location.Text)
			}
			out = append(out, Example{Name: name, Pass: pass, Source: src})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return !out[i].Pass && out[j].Pass })
	return out
}
