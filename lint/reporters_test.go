package lint

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/govctl/govctl/schema"
)

// reportFixture is a result with every kind of finding: errors, a
// warning, an info, a suppressed one, an exception finding, a finding
// merged across environments and a skipped rule.
func reportFixture(t *testing.T) *Result {
	t.Helper()
	res := lintFixture(t, map[string]string{
		"services/b.cue": serviceB(`{rule: "GOV-TST-001", reason: "batch worker, one is enough", expires: "2027-01-01", environments: ["dev"]},
		{rule: "GOV-TST-004", reason: "renamed rule, kept for history", expires: "2027-01-01"}`),
		"policies.cue":         policiesHeader + `policies: rules: "GOV-TST-002": severity: "info"` + "\n",
		"policies/images.rego": conftestPolicy,
	}, nil)
	res.Dir = "specs"
	return res
}

func report(t *testing.T, format string, opts ReportOptions, res *Result) []byte {
	t.Helper()
	rep, err := NewReporter(format, opts)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.Report(&b, res); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReportersGolden(t *testing.T) {
	res := reportFixture(t)
	for _, tt := range []struct {
		name, format string
		opts         ReportOptions
	}{
		{"report.txt", "text", ReportOptions{}},
		{"report-suppressed.txt", "text", ReportOptions{ShowSuppressed: true}},
		{"report-color.txt", "text", ReportOptions{Color: true, ShowSuppressed: true}},
		{"report.json", "json", ReportOptions{}},
		{"report.sarif", "sarif", ReportOptions{PathPrefix: "deploy/specs", ToolVersion: "v0.1.0"}},
		{"report.junit.xml", "junit", ReportOptions{ShowSuppressed: true}},
		{"report.github.txt", "github", ReportOptions{ShowSuppressed: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := report(t, tt.format, tt.opts, res)
			assertGolden(t, tt.name, got)
			if again := report(t, tt.format, tt.opts, res); !bytes.Equal(got, again) {
				t.Error("two reports of the same result differ")
			}
		})
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := NewReporter("yaml", ReportOptions{}); err == nil || !strings.Contains(err.Error(), "text, json, sarif, junit, github") {
		t.Errorf("err = %v", err)
	}
}

func TestSARIFHasTheRequiredFields(t *testing.T) {
	res := reportFixture(t)
	var log struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string `json:"id"`
						ShortDescription struct {
							Text string `json:"text"`
						} `json:"shortDescription"`
						FullDescription *struct {
							Text string `json:"text"`
						} `json:"fullDescription"`
						Help *struct {
							Text string `json:"text"`
						} `json:"help"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				Suppressions []struct {
					Kind          string `json:"kind"`
					Justification string `json:"justification"`
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	raw := report(t, "sarif", ReportOptions{PathPrefix: "deploy/specs"}, res)
	if bytes.Contains(raw, []byte("null")) {
		t.Error("SARIF log has null members, which the schema does not allow")
	}
	if err := json.Unmarshal(raw, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || !strings.HasSuffix(log.Schema, "sarif-schema-2.1.0.json") {
		t.Errorf("version %q, $schema %q", log.Version, log.Schema)
	}
	if len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "govctl" {
		t.Fatalf("runs: %+v", log.Runs)
	}
	run := log.Runs[0]
	rules := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		rules[r.ID] = i
		if r.ShortDescription.Text == "" {
			t.Errorf("rule %s has no short description", r.ID)
		}
		if r.ID == "GOV-TST-001" && (r.FullDescription == nil || r.Help == nil || r.Help.Text != "Raise replicas to at least minReplicas.") {
			t.Errorf("rule %s: full description %v, help %v", r.ID, r.FullDescription, r.Help)
		}
	}
	if len(run.Results) != len(res.Findings) {
		t.Errorf("%d results for %d findings", len(run.Results), len(res.Findings))
	}
	levels := map[string]bool{}
	suppressed := 0
	for _, r := range run.Results {
		i, ok := rules[r.RuleID]
		if !ok || r.RuleIndex == nil || *r.RuleIndex != i {
			t.Errorf("result %s: rule index %v, want %d (rule listed: %v)", r.RuleID, r.RuleIndex, i, ok)
		}
		if r.Message.Text == "" || len(r.Locations) != 1 {
			t.Errorf("result %s: message %q, %d locations", r.RuleID, r.Message.Text, len(r.Locations))
			continue
		}
		loc := r.Locations[0].PhysicalLocation
		if !strings.HasPrefix(loc.ArtifactLocation.URI, "deploy/specs/") || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || loc.Region.StartLine < 1 || loc.Region.StartColumn < 1 {
			t.Errorf("result %s: location %+v", r.RuleID, loc)
		}
		levels[r.Level] = true
		if len(r.Suppressions) > 0 {
			suppressed++
			if r.Suppressions[0].Kind != "inSource" || !strings.Contains(r.Suppressions[0].Justification, "batch worker") {
				t.Errorf("suppression %+v", r.Suppressions[0])
			}
		}
	}
	for _, l := range []string{"error", "warning", "note"} {
		if !levels[l] {
			t.Errorf("no result at level %s", l)
		}
	}
	if suppressed != 1 {
		t.Errorf("%d suppressed results, want 1", suppressed)
	}
}

func TestJUnitIsWellFormed(t *testing.T) {
	var doc junitSuites
	raw := report(t, "junit", ReportOptions{}, reportFixture(t))
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 4 || doc.Suites[0].Name != "dev" || doc.Suites[3].Name != "not run" {
		t.Fatalf("suites: %+v", doc.Suites)
	}
	for _, s := range doc.Suites {
		failures := 0
		for _, c := range s.Cases {
			if c.Failure != nil {
				failures++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != failures {
			t.Errorf("suite %s: tests=%d cases=%d failures=%d counted=%d", s.Name, s.Tests, len(s.Cases), s.Failures, failures)
		}
	}
}

func TestGitHubAnnotationEscaping(t *testing.T) {
	res := &Result{
		Dir: "specs, prod:eu", Now: time.Unix(0, 0), Environments: []string{"prod"}, FailOn: SeverityError,
		Findings: []Finding{
			{RuleID: "GOV-X-001", Severity: SeverityError, Message: "100% of traffic\r\nmoves: a,b", Service: "a", Environments: []string{"prod"},
				Pos: schema.Pos{File: "services/a.cue", Line: 3, Column: 7}},
			{RuleID: "GOV-X-002", Severity: SeverityInfo, Message: "fyi", Environments: []string{"prod"}, Pos: schema.Pos{File: "p.cue", Line: 1}},
		},
	}
	got := string(report(t, "github", ReportOptions{}, res))
	want := "::error file=specs%2C prod%3Aeu/services/a.cue,line=3,col=7,title=GOV-X-001::100%25 of traffic%0D%0Amoves: a,b (a in prod)\n" +
		"::notice file=specs%2C prod%3Aeu/p.cue,line=1,title=GOV-X-002::fyi (in prod)\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestSuppressedFindingsAreHiddenUnlessAsked(t *testing.T) {
	res := reportFixture(t)
	for _, format := range []string{"text", "github", "junit"} {
		hidden := string(report(t, format, ReportOptions{}, res))
		shown := string(report(t, format, ReportOptions{ShowSuppressed: true}, res))
		if strings.Contains(hidden, "batch worker") || !strings.Contains(shown, "batch worker") {
			t.Errorf("%s: suppressed finding hidden=%v shown=%v", format, strings.Contains(hidden, "batch worker"), strings.Contains(shown, "batch worker"))
		}
	}
	if !strings.Contains(string(report(t, "text", ReportOptions{}, res)), "1 suppressed") {
		t.Error("text summary does not count the suppressed finding")
	}
}
