package lint

import (
	"os"
	"regexp"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestPreCommitHook checks the hook pre-commit installs from this
// repository: `govctl lint` on the staged .cue and .rego files.
func TestPreCommitHook(t *testing.T) {
	b, err := os.ReadFile("../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `yaml:"id"`
		Name          string `yaml:"name"`
		Entry         string `yaml:"entry"`
		Language      string `yaml:"language"`
		Files         string `yaml:"files"`
		PassFilenames *bool  `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(b, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 {
		t.Fatalf("%d hooks, want govctl-lint", len(hooks))
	}
	h := hooks[0]
	if h.ID != "govctl-lint" || h.Name == "" || h.Entry != "govctl lint" || h.Language != "golang" || h.PassFilenames == nil || !*h.PassFilenames {
		t.Errorf("hook = %+v", h)
	}
	files := regexp.MustCompile(h.Files)
	for name, want := range map[string]bool{"specs/services/orders.cue": true, "policies/images.rego": true, "README.md": false, "x.cue.orig": false} {
		if files.MatchString(name) != want {
			t.Errorf("files %q matches %s: %v, want %v", h.Files, name, !want, want)
		}
	}
}
