package lint

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/govctl/govctl/internal/testgen"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/github"
	"github.com/govctl/govctl/render/targets"
	"github.com/govctl/govctl/schema"
)

// TestFocusedLintReportsWhatAWholeLintDoes lints spec files one at a time
// over the part of the platform Focus keeps and wants exactly the findings
// a lint of the whole platform reports about that file: the promise that
// lets a pre-commit hook skip the rest. bad-platform breaks every rule,
// the graph rules (cycles, retry amplification, fallbacks, critical
// callees) across files; the generated platform has deep call chains.
func TestFocusedLintReportsWhatAWholeLintDoes(t *testing.T) {
	gen := t.TempDir()
	if err := testgen.Write(gen, testgen.Options{Services: 90, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dir      string
		every    int
		findings bool
	}{
		{"testdata/bad-platform", 1, true},
		{"../examples/shop", 1, false},
		{gen, 9, false},
	} {
		t.Run(filepath.Base(tc.dir), func(t *testing.T) {
			ctx := context.Background()
			m := load(t, tc.dir)
			whole, err := Lint(ctx, m, Options{Now: fixedNow, Objects: renderAll(t, m)})
			if err != nil {
				t.Fatal(err)
			}
			focused, compared := 0, 0
			for i, file := range m.Files {
				if i%tc.every != 0 {
					continue
				}
				part, err := Focus(m, []string{file})
				if err != nil {
					t.Fatal(err)
				}
				if len(part.Services) < len(m.Services) {
					focused++
				}
				got, err := Lint(ctx, part, Options{Now: fixedNow, Objects: renderAll(t, part), Files: []string{file}})
				if err != nil {
					t.Fatal(err)
				}
				var want []Finding
				for _, f := range whole.Findings {
					if f.Pos.File == file {
						want = append(want, f)
					}
				}
				compared += len(want)
				if g, w := findingsJSON(t, got.Findings), findingsJSON(t, want); g != w {
					t.Errorf("%s: focused on %d of %d services, lint reports\n%s\nwant (whole platform)\n%s", file, len(part.Services), len(m.Services), g, w)
				}
			}
			if focused == 0 {
				t.Errorf("Focus kept the whole platform for every file: the comparison proves nothing")
			}
			if tc.findings && compared == 0 {
				t.Errorf("no findings compared")
			}
		})
	}
}

// TestFocusKeepsThePlatformWhenAFileIsNotAService: a change to the
// platform, an environment or the policies may move any finding.
func TestFocusKeepsThePlatformWhenAFileIsNotAService(t *testing.T) {
	m := load(t, "../examples/shop")
	for _, file := range []string{"govctl.cue", "environments/environments.cue", "policies.cue"} {
		part, err := Focus(m, []string{file, "services/orders.cue"})
		if err != nil {
			t.Fatal(err)
		}
		if part != m {
			t.Errorf("Focus(%s) kept %d of %d services, want the whole platform", file, len(part.Services), len(m.Services))
		}
	}
	part, err := Focus(m, []string{"services/notifications.cue"})
	if err != nil {
		t.Fatal(err)
	}
	if got := part.ServiceNames(); len(got) == 0 || len(got) == len(m.Services) {
		t.Errorf("Focus(services/notifications.cue) kept %v", got)
	}
}

func renderAll(t *testing.T, m *schema.Model) []render.Object {
	t.Helper()
	objs, err := targets.Render(context.Background(), m, m.EnvironmentNames(), targets.Options{GitHub: github.Renderer{SpecDir: "spec"}})
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return objs
}

func findingsJSON(t *testing.T, fs []Finding) string {
	t.Helper()
	if fs == nil {
		fs = []Finding{}
	}
	b, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
