package ciconfig

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

// action is action.yml, GitHub's action metadata
// (https://docs.github.com/actions/reference/metadata-syntax-for-github-actions),
// as much of it as a composite action uses.
type action struct {
	Name        string                  `yaml:"name"`
	Description string                  `yaml:"description"`
	Author      string                  `yaml:"author"`
	Branding    map[string]string       `yaml:"branding"`
	Inputs      map[string]actionInput  `yaml:"inputs"`
	Outputs     map[string]actionOutput `yaml:"outputs"`
	Runs        struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionInput struct {
	Description        string  `yaml:"description"`
	Required           bool    `yaml:"required"`
	Default            *string `yaml:"default"`
	DeprecationMessage string  `yaml:"deprecationMessage"`
}

type actionOutput struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

// actionStep is a step of a composite action; the keys are those GitHub
// accepts there.
type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
	ContinueOnError  string            `yaml:"continue-on-error"`
}

// label names a step in messages.
func (s actionStep) label(i int) string {
	switch {
	case s.Name != "":
		return fmt.Sprintf("step %d (%s)", i+1, s.Name)
	case s.ID != "":
		return fmt.Sprintf("step %d (id %s)", i+1, s.ID)
	}
	return fmt.Sprintf("step %d", i+1)
}

// pinnedAction is one entry of render/github/actions.lock.yaml.
type pinnedAction struct {
	Version string `yaml:"version"`
	SHA     string `yaml:"sha"`
	Source  string `yaml:"source"`
}

// readLock reads the lock file the rendered workflows are pinned from, so
// that action.yml runs the same reviewed commits.
func readLock(t *testing.T) map[string]pinnedAction {
	t.Helper()
	var lock struct {
		Actions map[string]pinnedAction `yaml:"actions"`
	}
	if err := decodeStrict("render/github/actions.lock.yaml", readRootFile(t, "render/github/actions.lock.yaml"), &lock); err != nil {
		t.Fatal(err)
	}
	if len(lock.Actions) == 0 {
		t.Fatal("render/github/actions.lock.yaml: no actions")
	}
	return lock.Actions
}

// parseAction parses action.yml, strictly, and the comment after each
// `uses:` (the release its SHA is), keyed by step index.
func parseAction(data []byte) (*action, map[int]string, error) {
	var a action
	if err := decodeStrict("action.yml", data, &a); err != nil {
		return nil, nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, err
	}
	comments := map[int]string{}
	if steps := lookup(&doc, "runs", "steps"); steps != nil && steps.Kind == yaml.SequenceNode {
		for i, step := range steps.Content {
			if uses := lookup(step, "uses"); uses != nil {
				comments[i] = strings.TrimSpace(strings.TrimPrefix(uses.LineComment, "#"))
			}
		}
	}
	return &a, comments, nil
}

// lookup follows mapping keys from n (a document or a mapping).
func lookup(n *yaml.Node, path ...string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// checkAction returns every problem with a composite action's metadata
// that GitHub would reject at run time or that would make the action
// unsafe; lock is the pinned third-party actions it may use.
func checkAction(data []byte, lock map[string]pinnedAction) []string {
	a, usesComments, err := parseAction(data)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if a.Name == "" {
		report("no name")
	}
	if a.Description == "" {
		report("no description")
	}
	if len(a.Inputs) == 0 {
		report("no inputs")
	}
	if a.Runs.Using != "composite" {
		report("runs.using is %q, want composite", a.Runs.Using)
	}
	if len(a.Runs.Steps) == 0 {
		report("runs.steps is empty")
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			report("input %s: no description", name)
		}
	}

	ids := map[string]bool{}
	for i, s := range a.Runs.Steps {
		where := s.label(i)
		if s.ID != "" {
			if ids[s.ID] {
				report("%s: id %q is used twice", where, s.ID)
			}
			ids[s.ID] = true
		}
		switch {
		case s.Run != "" && s.Uses != "":
			report("%s: has both run: and uses:", where)
		case s.Run == "" && s.Uses == "":
			report("%s: has neither run: nor uses:", where)
		case s.Run != "":
			// A composite action's run step has no default shell.
			if s.Shell == "" {
				report("%s: run: without shell:", where)
			}
			// ${{ }} in a script is expanded into its text before the
			// shell parses it: an input or a branch name could inject
			// commands. Values go through env: instead.
			if strings.Contains(s.Run, "${{") {
				report("%s: run: contains ${{ }}; pass the value through env: and use \"$VAR\"", where)
			}
		case s.Uses != "":
			problems = append(problems, checkPinned(where, s.Uses, usesComments[i], lock)...)
		}
	}

	for _, ref := range expressionReferences(data) {
		switch ref.context {
		case "inputs":
			if _, ok := lookupFold(a.Inputs, ref.name); !ok {
				report("%s: ${{ inputs.%s }} names no declared input", ref.where, ref.name)
			}
		case "steps":
			if !ids[ref.name] {
				report("%s: ${{ steps.%s }} names no step id", ref.where, ref.name)
			}
		}
	}
	return problems
}

// fullSHA is a full commit SHA: a tag or branch can be moved by whoever
// controls the action's repository, a commit cannot.
var fullSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// checkPinned checks one `uses:` against the lock file: the same commit
// the rendered workflows use, with its release as the line comment.
func checkPinned(where, uses, comment string, lock map[string]pinnedAction) []string {
	ref, sha, ok := strings.Cut(uses, "@")
	if !ok || strings.HasPrefix(uses, "./") || strings.HasPrefix(uses, "docker://") {
		return []string{fmt.Sprintf("%s: uses %q is not an action pinned to a commit (owner/repo@sha)", where, uses)}
	}
	if !fullSHA.MatchString(sha) {
		return []string{fmt.Sprintf("%s: uses %q is pinned to %q, not a full 40-hex commit SHA", where, uses, sha)}
	}
	// "github/codeql-action/upload-sarif" is an action inside the
	// repository the lock file names.
	parts := strings.SplitN(ref, "/", 3)
	if len(parts) < 2 {
		return []string{fmt.Sprintf("%s: uses %q names no owner/repo", where, uses)}
	}
	repository := parts[0] + "/" + parts[1]
	pin, ok := lock[repository]
	if !ok {
		return []string{fmt.Sprintf("%s: %s is not in render/github/actions.lock.yaml; add it there first", where, repository)}
	}
	var problems []string
	if sha != pin.SHA {
		problems = append(problems, fmt.Sprintf("%s: %s@%s, but render/github/actions.lock.yaml pins %s (%s)", where, ref, sha, pin.SHA, pin.Version))
	}
	if comment != pin.Version {
		problems = append(problems, fmt.Sprintf("%s: uses is commented %q, want the lock file's version %q", where, comment, pin.Version))
	}
	return problems
}

// exprReference is a use of a context property in an expression:
// inputs.<name> or steps.<id>.
type exprReference struct {
	where   string // the path of the YAML value
	context string
	name    string
}

var (
	// expression is one ${{ }}; GitHub expressions contain no "}}".
	expression = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	// contextProperty is ctx.name or ctx['name'] (both are valid syntax).
	contextProperty = regexp.MustCompile(`\b(inputs|steps)\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*'([^']*)'\s*\])`)
)

// expressionReferences finds every inputs.X and steps.X in the
// expressions of a YAML document: inside ${{ }} in any value, and in the
// whole value of an if:, which GitHub evaluates as an expression without
// the braces.
func expressionReferences(data []byte) []exprReference {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil
	}
	var refs []exprReference
	var walk func(n *yaml.Node, path string, isIf bool)
	walk = func(n *yaml.Node, path string, isIf bool) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for i, c := range n.Content {
				p := path
				if n.Kind == yaml.SequenceNode {
					p = fmt.Sprintf("%s[%d]", path, i)
				}
				walk(c, p, false)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := n.Content[i].Value
				walk(n.Content[i+1], strings.TrimPrefix(path+"."+key, "."), key == "if")
			}
		case yaml.ScalarNode:
			var exprs []string
			for _, m := range expression.FindAllStringSubmatch(n.Value, -1) {
				exprs = append(exprs, m[1])
			}
			if isIf && len(exprs) == 0 {
				exprs = []string{n.Value}
			}
			for _, e := range exprs {
				for _, m := range contextProperty.FindAllStringSubmatch(e, -1) {
					refs = append(refs, exprReference{where: path, context: m[1], name: m[2] + m[3]})
				}
			}
		}
	}
	walk(&doc, "", false)
	return refs
}

// lookupFold finds a key case-insensitively, as GitHub matches input
// names.
func lookupFold[V any](m map[string]V, key string) (V, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	var zero V
	return zero, false
}

func TestActionMetadataIsValidAndSafe(t *testing.T) {
	for _, p := range checkAction(readRootFile(t, "action.yml"), readLock(t)) {
		t.Error("action.yml: " + p)
	}
}

func TestActionDeclaresItsInterface(t *testing.T) {
	a, _, err := parseAction(readRootFile(t, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]string{
		"dir":          ".",
		"env":          "",
		"fail-on":      "error",
		"comment":      "true",
		"github-token": "${{ github.token }}",
	}
	if in, ok := a.Inputs["version"]; !ok {
		t.Error("no input version")
	} else if !in.Required || in.Default != nil {
		t.Error("input version must be required without a default: CI installs the govctl release it names")
	}
	for name, want := range defaults {
		in, ok := a.Inputs[name]
		switch {
		case !ok:
			t.Errorf("no input %s", name)
		case in.Required:
			t.Errorf("input %s is required; it has a default", name)
		case in.Default == nil || *in.Default != want:
			t.Errorf("input %s: default %v, want %q", name, in.Default, want)
		}
	}
	for _, name := range []string{"plan-has-changes", "sarif-file"} {
		if out, ok := a.Outputs[name]; !ok || out.Value == "" {
			t.Errorf("no output %s with a value", name)
		}
	}
}

func TestActionChecksCatchMistakes(t *testing.T) {
	lock := map[string]pinnedAction{
		"actions/setup-go":     {Version: "v7.0.0", SHA: strings.Repeat("a", 40)},
		"github/codeql-action": {Version: "v4.36.2", SHA: strings.Repeat("b", 40)},
	}
	const head = "name: n\ndescription: d\ninputs:\n  dir:\n    description: spec dir\nruns:\n  using: composite\n  steps:\n"
	tests := []struct {
		name, steps, want string
	}{
		{"fine",
			"    - uses: actions/setup-go@" + strings.Repeat("a", 40) + " # v7.0.0\n" +
				"    - uses: github/codeql-action/upload-sarif@" + strings.Repeat("b", 40) + " # v4.36.2\n" +
				"    - id: x\n      if: inputs.dir != ''\n      shell: bash\n      env: {D: \"${{ inputs.dir }}\"}\n      run: echo \"$D\"\n",
			""},
		{"run without shell", "    - run: echo hi\n", "run: without shell:"},
		{"expression in run", "    - shell: bash\n      run: echo ${{ inputs.dir }}\n", "run: contains ${{ }}"},
		{"tag instead of sha", "    - uses: actions/setup-go@v7\n", "not a full 40-hex commit SHA"},
		{"sha not in lock", "    - uses: actions/setup-go@" + strings.Repeat("c", 40) + " # v7.0.0\n", "lock.yaml pins"},
		{"action not in lock", "    - uses: actions/cache@" + strings.Repeat("a", 40) + "\n", "not in render/github/actions.lock.yaml"},
		{"wrong version comment", "    - uses: actions/setup-go@" + strings.Repeat("a", 40) + " # v6\n", `want the lock file's version "v7.0.0"`},
		{"undeclared input", "    - shell: bash\n      env: {D: \"${{ inputs.spec-dir }}\"}\n      run: echo \"$D\"\n", "inputs.spec-dir }} names no declared input"},
		{"undeclared input in bare if", "    - if: inputs['nope'] == 'x'\n      shell: bash\n      run: echo\n", "inputs.nope }} names no declared input"},
		{"unknown step id", "    - shell: bash\n      env: {D: \"${{ steps.lint.outputs.x }}\"}\n      run: echo \"$D\"\n", "steps.lint }} names no step id"},
		{"misspelled key", "    - shel: bash\n      run: echo\n", "field shel not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := checkAction([]byte(head+tt.steps), lock)
			if tt.want == "" {
				if len(problems) > 0 {
					t.Fatalf("problems in a valid action: %q", problems)
				}
				return
			}
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Fatalf("problems %q, want one containing %q", problems, tt.want)
			}
		})
	}
}

// TestActionRunScriptsPassShellcheck lints each run: script as the bash
// script GitHub runs it as (shell: bash is bash -e {0}).
func TestActionRunScriptsPassShellcheck(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("shellcheck is not on PATH, so action.yml's run: scripts cannot be checked; CI must install it (apt-get install shellcheck)")
		}
		t.Skip("SKIP: shellcheck is not on PATH, so action.yml's run: scripts are not checked; install shellcheck to check them (CI requires it)")
	}
	a, _, err := parseAction(readRootFile(t, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	checked := 0
	for i, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		if s.Shell != "bash" {
			t.Errorf("%s: shell %q; these checks assume bash", s.label(i), s.Shell)
			continue
		}
		file := filepath.Join(dir, fmt.Sprintf("step-%d.sh", i+1))
		if err := os.WriteFile(file, []byte("#!/usr/bin/env bash\n"+s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		// Lines in shellcheck's output are those of the script plus the
		// shebang line.
		out, err := exec.Command(shellcheck, "--format=gcc", file).CombinedOutput()
		if err != nil {
			t.Errorf("%s: shellcheck (line numbers count the added #! line):\n%s", s.label(i), out)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("action.yml has no run: scripts to check")
	}
}

// TestActionInAWorkflowPassesActionlint uses the action as the header of
// action.yml shows, from a workflow that actionlint checks: actionlint
// reads a local action's metadata (failing on metadata it cannot parse)
// and checks the workflow's with: against its inputs and its
// steps.<id>.outputs against its outputs.
func TestActionInAWorkflowPassesActionlint(t *testing.T) {
	lock := readLock(t)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "action.yml"), readRootFile(t, "action.yml"), 0o644); err != nil {
		t.Fatal(err)
	}
	pin := func(repository string) string {
		p, ok := lock[repository]
		if !ok {
			t.Fatalf("%s is not in render/github/actions.lock.yaml", repository)
		}
		return p.SHA + " # " + p.Version
	}
	workflow := `name: govctl
on:
  pull_request:
permissions:
  contents: read
  pull-requests: write
  security-events: write
jobs:
  govctl:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@` + pin("actions/checkout") + `
        with:
          fetch-depth: 0
          persist-credentials: false
      - id: govctl
        uses: ./
        with:
          version: v0.1.0
          dir: platform
          env: prod
          fail-on: warning
          comment: true
          github-token: ${{ github.token }}
      - if: ${{ !cancelled() && steps.govctl.outputs.sarif-file != '' }}
        uses: github/codeql-action/upload-sarif@` + pin("github/codeql-action") + `
        with:
          sarif_file: ${{ steps.govctl.outputs.sarif-file }}
          category: govctl
      - if: ${{ steps.govctl.outputs.plan-has-changes == 'true' }}
        run: echo "the pull request changes the platform"
`
	project, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	linter, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := linter.Lint(filepath.Join(root, ".github", "workflows", "govctl.yml"), []byte(workflow), project)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("actionlint: %s", e)
	}

	// A workflow that leaves out the required version, or passes an
	// input the action does not declare, must fail: the check is live.
	bad := strings.Replace(workflow, "          version: v0.1.0\n", "          spec-dir: platform\n", 1)
	errs, err = linter.Lint(filepath.Join(root, ".github", "workflows", "bad.yml"), []byte(bad), project)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) < 2 {
		t.Errorf("actionlint found %d errors in a workflow missing input version and passing spec-dir, want 2: %v", len(errs), errs)
	}
}
