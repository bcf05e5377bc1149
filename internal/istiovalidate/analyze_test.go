package istiovalidate

import (
	"strings"
	"testing"
)

// TestAnalyzeReportsWhatIstioctlAnalyzeReports runs the analyzers over a
// namespace without sidecar injection and a route without a port to a
// two-port Service: IST0102 and IST0112 must come back, so a clean
// analysis elsewhere means the analyzers ran.
func TestAnalyzeReportsWhatIstioctlAnalyzeReports(t *testing.T) {
	a := Analyze(t, "", "testdata/analyze/multiport.yaml")
	codes := map[string]bool{}
	for _, m := range a.Messages {
		codes[m.Code] = true
	}
	for _, want := range []string{"IST0102", "IST0112"} {
		if !codes[want] {
			t.Errorf("no %s in the analysis:\n%v", want, a.Messages)
		}
	}
	if a.Errors == 0 || !strings.Contains(a.OfLevel("Error")[0].String(), "Error [IST") {
		t.Errorf("errors = %d: %v", a.Errors, a.OfLevel("Error"))
	}
}

func TestParseAnalysisRejectsOutputItCannotRead(t *testing.T) {
	for _, out := range []string{
		"", // no summary
		"Error [IST0101] (X a/b) m\n0 errors, 0 warnings, 0 infos\n", // count mismatch
		"x.yaml: error: cannot read\n0 errors, 0 warnings, 0 infos\n",
	} {
		if _, err := parseAnalysis(out); err == nil {
			t.Errorf("parseAnalysis(%q) = nil error", out)
		}
	}
}
