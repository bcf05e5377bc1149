package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/plan"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// Shell completion of flag values and arguments: what the spec defines
// (environments, services, rule ids) and what govctl knows (targets,
// formats). A spec that does not load completes nothing rather than
// printing errors into the shell.

// completeWith returns a completion function offering values matching
// what the user typed so far.
func completeWith(values func() []string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []string
		for _, v := range values() {
			if strings.HasPrefix(v, toComplete) {
				out = append(out, v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// specNames returns a completion source of names the spec in --dir
// defines.
func specNames(root *cobra.Command, g *GlobalOptions, names func(*schema.Model) []string) func() []string {
	return func() []string {
		m, err := loadModel(root.Context(), g, nil)
		if err != nil {
			return nil
		}
		return names(m)
	}
}

// registerCompletions wires the completions of every command's flags.
func registerCompletions(root *cobra.Command, g *GlobalOptions) {
	envs := specNames(root, g, (*schema.Model).EnvironmentNames)
	services := specNames(root, g, (*schema.Model).ServiceNames)
	targetNames := func() []string {
		all := render.AllTargets()
		out := make([]string, len(all))
		for i, t := range all {
			out[i] = string(t)
		}
		return out
	}
	_ = root.RegisterFlagCompletionFunc("env", completeWith(envs))
	for _, c := range root.Commands() {
		flag := func(name string, values func() []string) {
			if c.Flags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, completeWith(values))
			}
		}
		switch c.Name() {
		case "render", "diff", "plan":
			flag("target", targetNames)
			flag("service", services)
		case "gate":
			flag("service", services)
		}
		switch c.Name() {
		case "lint":
			flag("format", func() []string { return lint.Formats })
			flag("fail-on", func() []string { return []string{"error", "warning", "info"} })
		case "plan":
			flag("format", func() []string { return plan.Formats })
		case "explain":
			flag("format", func() []string { return []string{"text", "json"} })
		case "rules":
			for _, sub := range c.Commands() {
				if sub.Name() == "explain" {
					sub.ValidArgsFunction = completeWith(specNames(root, g, ruleIDs))
				}
			}
		}
	}
}

// ruleIDs lists the ids of the rules in force for the spec: the built-in
// catalog and the spec's custom policies.
func ruleIDs(m *schema.Model) []string {
	settings, err := lint.Rules(context.Background(), m, lint.Options{})
	if err != nil {
		return nil
	}
	ids := make([]string, 0, len(settings))
	for _, s := range settings {
		ids = append(ids, s.Rule.ID)
	}
	return ids
}
