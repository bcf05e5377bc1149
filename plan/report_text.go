package plan

import (
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"
)

// TextReporter writes a plan for a terminal with the structure of the
// Markdown plan: verdict, summary line, the service × environment grid
// (prod first), "Review first", findings, changed dependency edges, then
// every change grouped by service, riskiest first, as coloured diffs.
type TextReporter struct {
	// Color colours signs and risks with ANSI escapes; the caller decides
	// (a terminal, no NO_COLOR).
	Color bool
}

type textStyle struct {
	title, header, note, old, new, sensitive, section *color.Color
	risk                                              map[Risk]*color.Color
}

func newTextStyle(on bool) *textStyle {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return &textStyle{
		title:     mk(color.Bold),
		header:    mk(color.FgCyan),
		note:      mk(color.Faint),
		old:       mk(color.FgRed),
		new:       mk(color.FgGreen),
		sensitive: mk(color.FgYellow),
		section:   mk(color.Bold, color.Underline),
		risk:      map[Risk]*color.Color{RiskHigh: mk(color.FgRed, color.Bold), RiskMedium: mk(color.FgYellow, color.Bold), RiskLow: mk(color.FgGreen)},
	}
}

func (st *textStyle) riskText(r Risk) string {
	if c, ok := st.risk[r]; ok {
		return c.Sprint(string(r))
	}
	return string(r)
}

// Report implements Reporter.
func (r *TextReporter) Report(w io.Writer, p *Plan) error {
	var b strings.Builder
	st := newTextStyle(r.Color)
	if !p.HasChanges() {
		fmt.Fprintln(&b, noChanges(p))
		return writeScrubbed(w, p, b.String())
	}
	fmt.Fprintln(&b, st.title.Sprintf("govctl plan · %s — %s", p.Platform, strings.TrimSpace(strings.TrimLeft(verdict(p), "🔴🟠🟢✅"))))
	fmt.Fprintln(&b, summaryLine(p))
	fmt.Fprintln(&b, baselineNote(p))

	envs := gridEnvs(p)
	fs := folds(p)
	width := len("service")
	for _, f := range fs {
		width = max(width, len(f.label()))
	}
	fmt.Fprintln(&b)
	col := 10
	for _, e := range envs {
		col = max(col, len(gridLabel(e)))
	}
	head := fmt.Sprintf("  %-*s", width, "")
	for _, e := range envs {
		head += fmt.Sprintf("  %-*s", col, gridLabel(e))
	}
	fmt.Fprintln(&b, strings.TrimRight(head, " "))
	for _, f := range fs {
		var cells []string
		nonzero := false
		for _, env := range envs {
			c := p.Cell(f.group, env)
			if c.Total() == 0 {
				cells = append(cells, fmt.Sprintf("  %-*s", col, "·"))
				continue
			}
			nonzero = true
			cell := fmt.Sprintf("%d %s", c.Total(), c.Highest())
			cells = append(cells, "  "+st.risk[c.Highest()].Sprint(cell)+strings.Repeat(" ", max(0, col-len(cell))))
		}
		if nonzero {
			fmt.Fprintf(&b, "  %-*s%s\n", width, f.label(), strings.TrimRight(strings.Join(cells, ""), " "))
		}
	}

	if review := reviewChanges(p); len(review) > 0 {
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, st.section.Sprint("Review first"))
		for _, c := range review {
			line := fmt.Sprintf("  [%s] %s%s — %s", st.riskText(c.Risk), c.Subject(), c.envSuffix(), c.Reason)
			if c.Pos.IsValid() {
				line += " · " + c.Pos.String()
			}
			fmt.Fprintln(&b, line)
		}
	}
	for _, o := range p.Objects {
		if o.Conflict != "" {
			fmt.Fprintln(&b, st.old.Sprintf("  ! conflict: %s %s %s: %s", o.Env, o.Target, o.Name, o.Conflict))
		}
	}
	if fixed := p.fixedFindings(); len(fixed) > 0 {
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, st.section.Sprint("Lint findings fixed"))
		for _, f := range fixed {
			fmt.Fprintf(&b, "  %s %s%s · %s\n", f.Rule, findingWhere(f), f.Message, f.Pos)
		}
	}
	if edges := changedEdges(p); len(edges) > 0 {
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, st.section.Sprint("Dependencies"))
		for _, e := range edges {
			if e.how == "" {
				continue
			}
			line := fmt.Sprintf("  %s → %s  %s · %s", e.from, e.to, e.how, envText(e.envs))
			switch e.how {
			case "added":
				line = st.new.Sprint(line)
			case "removed":
				line = st.old.Sprint(line)
			}
			fmt.Fprintln(&b, line)
		}
	}
	for _, f := range fs {
		fmt.Fprintln(&b)
		fmt.Fprintf(&b, "%s · %s\n", st.section.Sprint(f.label()), foldCounts(f))
		for _, c := range f.changes {
			for _, l := range changeLines(p, c, true) {
				text := l.text
				switch l.kind {
				case lineHeader:
					text = st.header.Sprint(text)
				case lineNote:
					text = st.note.Sprint(text)
				case lineOld:
					text = st.old.Sprint(text)
				case lineNew:
					text = st.new.Sprint(text)
				case lineSensitive, lineConflict:
					text = st.sensitive.Sprint(text)
				}
				fmt.Fprintln(&b, "  "+text)
			}
		}
	}
	if p.Command != "" {
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, st.note.Sprint("Reproduce: "+p.Command))
	}
	return writeScrubbed(w, p, b.String())
}
