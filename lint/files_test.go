package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPreCommitFilesLimitReportedFindings(t *testing.T) {
	dir := fixture(t, map[string]string{
		"policies/cross.rego": `package shop.cross

# A cross-service rule: b may not run fewer replicas than a.
violation contains {"msg": "b runs fewer replicas than a", "service": "b", "path": "replicas"} if {
	input.services.b.replicas < input.services.a.replicas
}
`,
	})
	m := load(t, dir)
	cwd, _ := os.Getwd()
	relFromCwd, _ := filepath.Rel(cwd, filepath.Join(dir, "services", "b.cue"))
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"no files: everything", nil, "shop.cross b prod,GOV-TST-001 a dev+staging,GOV-TST-001 b dev+staging+prod,GOV-TST-002 - dev+staging+prod"},
		{"relative to the spec dir", []string{"services/b.cue"}, "shop.cross b prod,GOV-TST-001 b dev+staging+prod"},
		{"relative to the working directory", []string{relFromCwd}, "shop.cross b prod,GOV-TST-001 b dev+staging+prod"},
		{"absolute", []string{filepath.Join(dir, "services", "a.cue")}, "GOV-TST-001 a dev+staging"},
		{"a policy file reports its rule's findings", []string{"policies/cross.rego"}, "shop.cross b prod"},
		{"files outside the spec", []string{"README.md", "../x.cue"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t)
			o.Files = tt.files
			res, err := Lint(t.Context(), m, o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				svc := f.Service
				if svc == "" {
					svc = "-"
				}
				got = append(got, f.RuleID+" "+svc+" "+strings.Join(f.Environments, "+"))
			}
			// Positions sort b's prod replicas (services/b.cue:7) before
			// a's; compare as sets in the order written above.
			if g, w := sortedCSV(got), sortedCSV(strings.Split(tt.want, ",")); g != w {
				t.Errorf("findings = %s\nwant %s", g, w)
			}
		})
	}
}

func sortedCSV(list []string) string {
	out := []string{}
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	sortStrings(out)
	return strings.Join(out, ",")
}
