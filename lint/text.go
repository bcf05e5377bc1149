package lint

import (
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"
)

// TextReporter writes findings for people: grouped by file, one line per
// finding (line:col, severity, rule id, message, service and
// environments), then a summary line "N errors, M warnings, K suppressed".
type TextReporter struct {
	ReportOptions
}

// Report writes r as text.
func (t *TextReporter) Report(w io.Writer, r *Result) error {
	paint := func(attrs ...color.Attribute) func(a ...any) string {
		c := color.New(attrs...)
		if t.Color {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c.Sprint
	}
	var (
		bold    = paint(color.Bold)
		faint   = paint(color.Faint)
		bySev   = map[Severity]func(a ...any) string{SeverityError: paint(color.FgRed, color.Bold), SeverityWarning: paint(color.FgYellow), SeverityInfo: paint(color.FgCyan)}
		success = paint(color.FgGreen)
	)
	ew := &errWriter{w: w}
	findings := t.visible(r)
	posWidth := 0
	for _, f := range findings {
		posWidth = max(posWidth, len(fmt.Sprintf("%d:%d", f.Pos.Line, f.Pos.Column)))
	}
	file := ""
	for _, f := range findings {
		name := t.file(r, f.Pos)
		if name != file {
			if file != "" {
				ew.printf("\n")
			}
			file = name
			ew.printf("%s\n", bold(name))
		}
		pos := fmt.Sprintf("%d:%d", f.Pos.Line, f.Pos.Column)
		sev := bySev[f.Severity](fmt.Sprintf("%-7s", f.Severity))
		msg := f.Message + " " + faint(where(f))
		if f.Suppressed {
			sev = faint(fmt.Sprintf("%-7s", "skip"))
			msg = faint(f.Message + " " + where(f))
		}
		ew.printf("  %s  %s  %s  %s\n", faint(fmt.Sprintf("%-*s", posWidth, pos)), sev, f.RuleID, msg)
		if f.Suppressed && f.Exception != nil {
			ew.printf("  %s  %s\n", strings.Repeat(" ", posWidth+9), faint(fmt.Sprintf("suppressed until %s: %s", f.Exception.Expires, f.Exception.Reason)))
		}
	}
	if len(findings) > 0 {
		ew.printf("\n")
	}
	if len(r.Skipped) > 0 {
		ew.printf("%s\n", faint(fmt.Sprintf("not run: %s (they read rendered objects, which were not given)", strings.Join(r.Skipped, ", "))))
	}
	s := r.Summary()
	line := summaryLine(s)
	switch {
	case r.Failed():
		line = bySev[SeverityError](line)
	case s.Errors+s.Warnings+s.Info == 0:
		line = success(line)
	}
	ew.printf("%s\n", line)
	return ew.err
}
