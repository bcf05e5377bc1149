package lint

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/govctl/govctl/schema"
)

// WriteRules lists rules as `govctl rules` prints them: id, severity in
// force, scope, where the rule applies and title, then every parameter
// with its value, default and where the spec sets it. dir is the spec
// directory, to name positions from the user's shell.
func WriteRules(w io.Writer, dir string, settings []*RuleSetting) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	ew := &errWriter{w: tw}
	ew.printf("ID\tSEVERITY\tSCOPE\tAPPLIES\tTITLE\n")
	for _, s := range settings {
		ew.printf("%s\t%s\t%s\t%s\t%s\n", s.Rule.ID, severityText(s), s.Rule.Scope, appliesText(s), s.Rule.Title)
		for _, p := range s.Params {
			ew.printf("\t\t\t\t  %s = %s\n", p.Name, paramValueText(dir, p))
		}
	}
	if ew.err != nil {
		return ew.err
	}
	return tw.Flush()
}

// ExplainRule writes everything about one rule, as `govctl rules explain
// ID` prints it: rationale, remediation, parameters with the values in
// force, and failing and passing examples.
func ExplainRule(w io.Writer, dir string, s *RuleSetting) error {
	ew := &errWriter{w: w}
	r := s.Rule
	ew.printf("%s: %s\n\n", r.ID, r.Title)
	ew.printf("  severity  %s\n", severityText(s))
	ew.printf("  applies   %s\n", appliesText(s))
	if s.Pos.IsValid() {
		ew.printf("  set at    %s\n", s.Pos.In(dir))
	}
	if s.Reason != "" {
		ew.printf("  reason    %s\n", s.Reason)
	}
	ew.printf("  scope     %s\n", r.Scope)
	ew.printf("  reads     %s\n", r.Reads)
	switch {
	case r.File == "":
		ew.printf("  source    govctl (engine)\n")
	case r.Builtin:
		ew.printf("  source    %s (built in)\n", r.File)
	default:
		ew.printf("  source    %s\n", schema.Pos{File: r.File, Line: r.Line}.In(dir))
	}
	if r.Description != "" {
		ew.printf("\nWhy\n%s\n", indent(wrap(r.Description, 76), "  "))
	}
	if r.Remediation != "" {
		ew.printf("\nRemediation\n%s\n", indent(wrap(r.Remediation, 76), "  "))
	}
	if len(s.Params) > 0 {
		ew.printf("\nParameters (policies.rules.%s.params)\n", r.ID)
		for _, p := range s.Params {
			ew.printf("  %s (%s%s) = %s\n", p.Name, p.Type, constraintText(p.Param), paramValueText(dir, p))
			if p.Description != "" {
				ew.printf("%s\n", indent(wrap(p.Description, 72), "      "))
			}
		}
	}
	for _, pass := range []bool{false, true} {
		title := "Failing example"
		if pass {
			title = "Passing example"
		}
		for _, ex := range r.Examples {
			if ex.Pass != pass {
				continue
			}
			ew.printf("\n%s", title)
			if ex.Name != "" && ex.Name != "fail" && ex.Name != "pass" {
				ew.printf(" (%s)", ex.Name)
			}
			ew.printf("\n%s\n", indent(strings.TrimRight(ex.Source, "\n"), "  "))
		}
	}
	return ew.err
}

func severityText(s *RuleSetting) string {
	if s.Severity != s.Rule.Severity {
		return fmt.Sprintf("%s (rule: %s)", s.Severity, s.Rule.Severity)
	}
	return string(s.Severity)
}

func appliesText(s *RuleSetting) string {
	var parts []string
	switch {
	case !s.Enabled:
		return "off"
	case len(s.Environments) > 0:
		parts = append(parts, "only in "+strings.Join(s.Environments, ", "))
	case len(s.DisabledIn) > 0:
		parts = append(parts, "off in "+strings.Join(s.DisabledIn, ", "))
	default:
		parts = append(parts, "everywhere")
	}
	if len(s.Owners) > 0 {
		parts = append(parts, "for "+strings.Join(s.Owners, ", "))
	}
	return strings.Join(parts, "; ")
}

func paramValueText(dir string, p ParamValue) string {
	if !p.Pos.IsValid() {
		return jsonText(p.Value) + " (default)"
	}
	return fmt.Sprintf("%s (default %s; set at %s)", jsonText(p.Value), jsonText(p.Default), p.Pos.In(dir))
}

func constraintText(p Param) string {
	var parts []string
	if p.Minimum != nil {
		parts = append(parts, "≥ "+formatNumber(*p.Minimum))
	}
	if p.Maximum != nil {
		parts = append(parts, "≤ "+formatNumber(*p.Maximum))
	}
	if len(p.Enum) > 0 {
		vals := make([]string, len(p.Enum))
		for i, e := range p.Enum {
			vals[i] = jsonText(e)
		}
		parts = append(parts, "one of "+strings.Join(vals, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return ", " + strings.Join(parts, ", ")
}

// wrap breaks text into lines of at most width runes at spaces.
func wrap(text string, width int) string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && len([]rune(line))+1+len([]rune(word)) > width {
				lines = append(lines, line)
				line = word
				continue
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func indent(text, prefix string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
