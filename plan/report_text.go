package plan

import (
	"bufio"
	"fmt"
	"io"

	"github.com/fatih/color"
)

// TextReporter writes a plan for a terminal, in the manner of Terraform:
// one block per environment in promotion order, a line per object
// (+ create, ~ update, - delete) with its risk and reason, a line per
// changed field, and a summary line. "No changes." when there are none.
type TextReporter struct {
	// Color colours signs and risks with ANSI escapes; the caller decides
	// (a terminal, no NO_COLOR).
	Color bool
}

// Report implements Reporter.
func (r *TextReporter) Report(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	st := newTextStyle(r.Color)
	if !p.HasChanges() {
		fmt.Fprintln(bw, noChanges(p))
		return bw.Flush()
	}
	fmt.Fprintf(bw, "Plan against %s:\n", p.Baseline)
	for _, env := range p.Environments {
		changes := p.ChangesIn(env.Name)
		if len(changes) == 0 {
			continue
		}
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, st.env.Sprintf("%s: %s", env.heading(), countsText(p.EnvironmentSummary(env.Name))))
		for _, ch := range changes {
			r.writeChange(bw, ch, st, "  ")
		}
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, st.summary.Sprint(summaryLine(p.Summary())))
	return bw.Flush()
}

// writeChange writes one change: its line, with risk and reason, then a
// line per field and the conflict, if any, indented four more.
func (r *TextReporter) writeChange(w io.Writer, ch Change, st *textStyle, indent string) {
	fmt.Fprintf(w, "%s%s  %s %s\n", indent, st.action(ch.Action).Sprint(changeLine(ch)), st.risk(ch.Risk).Sprintf("[%s]", ch.Risk), ch.Reason)
	for _, f := range ch.Fields {
		line := indent + "    " + st.field(f.Op).Sprint(fieldLine(f))
		if f.Risk.AtLeast(RiskMedium) {
			line += "  " + st.risk(f.Risk).Sprintf("[%s]", f.Risk)
		}
		fmt.Fprintln(w, line)
	}
	if ch.Conflict != "" {
		fmt.Fprintln(w, indent+"    "+st.conflict.Sprint("! conflict: "+ch.Conflict))
	}
}

// textStyle holds the colours of one report; each is enabled or disabled
// explicitly so that the package-wide color.NoColor is never consulted.
type textStyle struct {
	env, summary, conflict *color.Color
	create, update, delete *color.Color
	high, medium, low      *color.Color
}

func newTextStyle(enabled bool) *textStyle {
	s := &textStyle{
		env:      color.New(color.Bold),
		summary:  color.New(color.Bold),
		conflict: color.New(color.FgRed),
		create:   color.New(color.FgGreen),
		update:   color.New(color.FgYellow),
		delete:   color.New(color.FgRed),
		high:     color.New(color.FgRed, color.Bold),
		medium:   color.New(color.FgYellow),
		low:      color.New(color.FgGreen),
	}
	for _, c := range []*color.Color{s.env, s.summary, s.conflict, s.create, s.update, s.delete, s.high, s.medium, s.low} {
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return s
}

func (s *textStyle) action(a Action) *color.Color {
	switch a {
	case ActionCreate:
		return s.create
	case ActionDelete:
		return s.delete
	}
	return s.update
}

func (s *textStyle) field(op FieldOp) *color.Color {
	switch op {
	case FieldAdd:
		return s.create
	case FieldRemove:
		return s.delete
	}
	return s.update
}

func (s *textStyle) risk(r Risk) *color.Color {
	switch r {
	case RiskHigh:
		return s.high
	case RiskMedium:
		return s.medium
	}
	return s.low
}
