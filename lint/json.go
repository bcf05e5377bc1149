package lint

import (
	"encoding/json"
	"io"
	"time"
)

// JSONFormatVersion is the version of the JSON report. It changes when a
// field is removed or changes meaning; added fields keep the version.
const JSONFormatVersion = "1"

// JSONReporter writes the result as one JSON document:
//
//	{"format_version": "1", "now": "…", "environments": ["dev", …],
//	 "fail_on": "error", "failed": false,
//	 "summary": {"errors": 0, "warnings": 1, "info": 0, "suppressed": 1},
//	 "findings": [{"rule": "GOV-RES-003", "severity": "error", "message": "…",
//	   "service": "orders", "environments": ["prod"], "path": "resilience.…",
//	   "file": "specs/services/orders.cue", "line": 12, "column": 3,
//	   "suppressed": true, "exception": {"reason": "…", "expires": "2027-06-30",
//	   "file": "…", "line": 13}}],
//	 "skipped": ["GOV-TRF-004"]}
//
// Suppressed findings are always included, marked.
type JSONReporter struct {
	ReportOptions
}

type jsonReport struct {
	FormatVersion string        `json:"format_version"`
	Now           string        `json:"now"`
	Environments  []string      `json:"environments"`
	FailOn        Severity      `json:"fail_on"`
	Failed        bool          `json:"failed"`
	Summary       Summary       `json:"summary"`
	Findings      []jsonFinding `json:"findings"`
	Skipped       []string      `json:"skipped"`
}

type jsonFinding struct {
	Rule         string         `json:"rule"`
	Severity     Severity       `json:"severity"`
	Message      string         `json:"message"`
	Service      string         `json:"service,omitempty"`
	Environments []string       `json:"environments"`
	Path         string         `json:"path,omitempty"`
	File         string         `json:"file"`
	Line         int            `json:"line"`
	Column       int            `json:"column"`
	Suppressed   bool           `json:"suppressed"`
	Exception    *jsonException `json:"exception,omitempty"`
}

type jsonException struct {
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
	File    string `json:"file"`
	Line    int    `json:"line"`
}

// Report writes r as JSON.
func (j *JSONReporter) Report(w io.Writer, r *Result) error {
	out := jsonReport{
		FormatVersion: JSONFormatVersion,
		Now:           r.Now.UTC().Format(time.RFC3339),
		Environments:  r.Environments,
		FailOn:        r.FailOn,
		Failed:        r.Failed(),
		Summary:       r.Summary(),
		Findings:      []jsonFinding{},
		Skipped:       append([]string{}, r.Skipped...),
	}
	for _, f := range r.Findings {
		jf := jsonFinding{
			Rule: f.RuleID, Severity: f.Severity, Message: f.Message, Service: f.Service,
			Environments: f.Environments, Path: f.Path,
			File: j.file(r, f.Pos), Line: f.Pos.Line, Column: f.Pos.Column, Suppressed: f.Suppressed,
		}
		if e := f.Exception; e != nil {
			jf.Exception = &jsonException{Reason: e.Reason, Expires: e.Expires, File: j.file(r, e.Pos), Line: e.Pos.Line}
		}
		out.Findings = append(out.Findings, jf)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
