package ciconfig

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// preCommitHook is one entry of .pre-commit-hooks.yaml
// (https://pre-commit.com/#new-hooks), the keys these tests read.
type preCommitHook struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Entry         string `yaml:"entry"`
	Language      string `yaml:"language"`
	Files         string `yaml:"files"`
	Exclude       string `yaml:"exclude"`
	PassFilenames *bool  `yaml:"pass_filenames"`
}

// pythonRegexp compiles a pattern written for Python's re, as pre-commit
// matches files: and exclude: with re.search. RE2 accepts the patterns such
// files use, except verbose mode (?x), which pre-commit's documentation
// recommends for long lists and which is rewritten here, and \Z.
func pythonRegexp(pattern string) (*regexp.Regexp, error) {
	if rest, ok := strings.CutPrefix(pattern, "(?x)"); ok {
		var b strings.Builder
		for line := range strings.SplitSeq(rest, "\n") {
			if i := strings.Index(line, "#"); i >= 0 && (i == 0 || line[i-1] != '\\') {
				line = line[:i]
			}
			b.WriteString(strings.Join(strings.Fields(line), ""))
		}
		pattern = b.String()
	}
	return regexp.Compile(strings.ReplaceAll(pattern, `\Z`, `\z`))
}

func TestPythonRegexp(t *testing.T) {
	re, err := pythonRegexp("(?x)^(\n  services/.*\\.cue|  # specs\n  policies/.*\\.rego\n)\\Z")
	if err != nil {
		t.Fatal(err)
	}
	if !re.MatchString("services/a.cue") || !re.MatchString("policies/b.rego") || re.MatchString("README.md") {
		t.Errorf("verbose pattern compiled to %s", re)
	}
}

// TestPreCommitHookLintsSpecFiles checks the hook that README promises
// (`govctl lint`, in .pre-commit-hooks.yaml): that pre-commit runs govctl
// lint on the spec and policy files a commit changes, and only on those.
func TestPreCommitHookLintsSpecFiles(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, ".pre-commit-hooks.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("SKIP: no .pre-commit-hooks.yaml at the repository root yet; this test checks its govctl-lint hook once it exists")
	}
	if err != nil {
		t.Fatal(err)
	}
	var hooks []preCommitHook
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	var hook *preCommitHook
	for i := range hooks {
		if hooks[i].ID == "govctl-lint" {
			hook = &hooks[i]
		}
	}
	if hook == nil {
		t.Fatal(".pre-commit-hooks.yaml: no hook with id govctl-lint")
	}
	if hook.Name == "" {
		t.Error("govctl-lint: no name (pre-commit requires one)")
	}
	if hook.Entry != "govctl lint" {
		t.Errorf("govctl-lint: entry %q, want \"govctl lint\"", hook.Entry)
	}
	if hook.Language != "golang" {
		t.Errorf("govctl-lint: language %q, want golang (pre-commit builds govctl with go install)", hook.Language)
	}
	// pass_filenames defaults to true; govctl lint reports findings about
	// the files it is given.
	if hook.PassFilenames != nil && !*hook.PassFilenames {
		t.Error("govctl-lint: pass_filenames is false; govctl lint limits its findings to the files a commit changes")
	}

	files, err := pythonRegexp(hook.Files)
	if err != nil {
		t.Fatalf("govctl-lint: files %q: %v", hook.Files, err)
	}
	exclude := regexp.MustCompile(`$^`) // matches nothing, pre-commit's default
	if hook.Exclude != "" {
		if exclude, err = pythonRegexp(hook.Exclude); err != nil {
			t.Fatalf("govctl-lint: exclude %q: %v", hook.Exclude, err)
		}
	}
	for path, want := range map[string]bool{
		"services/orders.cue": true,
		"policies/x.rego":     true,
		"README.md":           false,
	} {
		if got := files.MatchString(path) && !exclude.MatchString(path); got != want {
			t.Errorf("govctl-lint: files %q, exclude %q: runs on %s is %v, want %v", hook.Files, hook.Exclude, path, got, want)
		}
	}
}
