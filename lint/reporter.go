package lint

import (
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/schema"
)

// Reporter writes a lint result in one output format.
type Reporter interface {
	Report(w io.Writer, r *Result) error
}

// ReportOptions control how reporters write findings.
type ReportOptions struct {
	// Color writes ANSI colours (text only); the caller decides, e.g. when
	// stdout is a terminal and NO_COLOR is unset.
	Color bool
	// ShowSuppressed includes findings a live exception suppresses in the
	// text, JUnit and GitHub output. JSON and SARIF always include them,
	// marked as suppressed.
	ShowSuppressed bool
	// PathPrefix is joined to the spec-relative positions in the output;
	// Result.Dir when empty. SARIF and GitHub annotations need paths from
	// the repository root, so a CLI run from elsewhere passes the spec
	// directory as seen from the repository root.
	PathPrefix string
	// ToolVersion is govctl's version, for SARIF's tool.driver.version.
	ToolVersion string
}

// Formats are the output formats NewReporter knows, the default first.
var Formats = []string{"text", "json", "sarif", "junit", "github"}

// NewReporter returns the reporter for a format named in Formats.
func NewReporter(format string, opts ReportOptions) (Reporter, error) {
	switch format {
	case "text", "":
		return &TextReporter{opts}, nil
	case "json":
		return &JSONReporter{opts}, nil
	case "sarif":
		return &SARIFReporter{opts}, nil
	case "junit":
		return &JUnitReporter{opts}, nil
	case "github":
		return &GitHubReporter{opts}, nil
	}
	return nil, fmt.Errorf("unknown output format %q (want %s)%s", format, strings.Join(Formats, ", "), diag.DidYouMean(format, Formats))
}

// file is the finding's file as output names it: slash-separated, joined
// to the path prefix or the spec directory.
func (o ReportOptions) file(r *Result, p schema.Pos) string {
	dir := o.PathPrefix
	if dir == "" {
		dir = r.Dir
	}
	if p.File == "" {
		return filepath.ToSlash(dir)
	}
	return path.Clean(p.In(dir).File)
}

// visible returns the findings a reporter that hides suppressed ones shows.
func (o ReportOptions) visible(r *Result) []Finding {
	if o.ShowSuppressed {
		return r.Findings
	}
	out := make([]Finding, 0, len(r.Findings))
	for _, f := range r.Findings {
		if !f.Suppressed {
			out = append(out, f)
		}
	}
	return out
}

// where says which service and environments a finding is about, for
// formats that have no field for them: "(orders in dev, prod)".
func where(f Finding) string {
	envs := strings.Join(f.Environments, ", ")
	if f.Service == "" {
		return "(in " + envs + ")"
	}
	return "(" + f.Service + " in " + envs + ")"
}

// plural formats a count with its noun: "1 error", "2 errors".
func plural(n int, noun string) string {
	if n == 1 || noun == "info" || noun == "suppressed" {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// summaryLine is "N errors, M warnings, K suppressed", with info findings
// counted when there are any.
func summaryLine(s Summary) string {
	parts := []string{plural(s.Errors, "error"), plural(s.Warnings, "warning")}
	if s.Info > 0 {
		parts = append(parts, plural(s.Info, "info"))
	}
	parts = append(parts, plural(s.Suppressed, "suppressed"))
	return strings.Join(parts, ", ")
}
