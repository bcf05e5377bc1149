package lint

import (
	"fmt"
	"io"
	"strings"
)

// GitHubReporter writes GitHub Actions workflow commands, one annotation
// per finding, which GitHub shows on the pull request's files:
//
//	::error file=specs/services/orders.cue,line=12,col=3,title=GOV-RES-003::circuit breaker …
//
// error and warning map to ::error and ::warning, info to ::notice;
// suppressed findings (with ShowSuppressed) are notices.
type GitHubReporter struct {
	ReportOptions
}

// Report writes r as workflow commands.
func (g *GitHubReporter) Report(w io.Writer, r *Result) error {
	ew := &errWriter{w: w}
	for _, f := range g.visible(r) {
		level := map[Severity]string{SeverityError: "error", SeverityWarning: "warning", SeverityInfo: "notice"}[f.Severity]
		msg := f.Message + " " + where(f)
		if f.Suppressed {
			level = "notice"
			msg = "suppressed: " + msg
			if f.Exception != nil {
				msg += fmt.Sprintf("\nexception until %s: %s", f.Exception.Expires, f.Exception.Reason)
			}
		}
		props := []string{"file=" + escapeProperty(g.file(r, f.Pos))}
		if f.Pos.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", f.Pos.Line))
			if f.Pos.Column > 0 {
				props = append(props, fmt.Sprintf("col=%d", f.Pos.Column))
			}
		}
		props = append(props, "title="+escapeProperty(f.RuleID))
		ew.printf("::%s %s::%s\n", level, strings.Join(props, ","), escapeData(msg))
	}
	return ew.err
}

// escapeData escapes a workflow command's message as the Actions runner
// does (toolkit/core command.ts escapeData): %, CR and LF.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command property value: as data, and
// also ':' and ',', which separate the command's parts.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
