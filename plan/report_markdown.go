package plan

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// MarkdownReporter writes a plan for a pull-request comment and for
// $GITHUB_STEP_SUMMARY: the hidden marker PlanMarker(platform) as the
// first line (UpsertComment finds its comment by it), a table of
// environments (add, change, destroy, highest risk), the summary line, the
// high-risk changes with their reasons, then one collapsed <details>
// section per environment with changes, holding the text plan of that
// environment in a diff block.
type MarkdownReporter struct{}

// riskBadge marks a risk class in tables and lists.
var riskBadge = map[Risk]string{
	RiskHigh:   "🔴 high",
	RiskMedium: "🟠 medium",
	RiskLow:    "🟢 low",
}

// Report implements Reporter.
func (r *MarkdownReporter) Report(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, PlanMarker(p.Platform))
	fmt.Fprintf(bw, "### govctl plan · %s\n\n", escapeMarkdown(p.Platform))
	if !p.HasChanges() {
		fmt.Fprintf(bw, "No changes. The rendered specs match %s.\n", inlineCode(p.Baseline))
		return bw.Flush()
	}
	fmt.Fprintf(bw, "Compared with %s.\n\n", inlineCode(p.Baseline))

	fmt.Fprintln(bw, "| Environment | Add | Change | Destroy | Highest risk |")
	fmt.Fprintln(bw, "| --- | ---: | ---: | ---: | --- |")
	for _, env := range p.Environments {
		c := p.EnvironmentSummary(env.Name)
		highest := "–"
		if h := c.Highest(); h != "" {
			highest = riskBadge[h]
		}
		fmt.Fprintf(bw, "| %s | %d | %d | %d | %s |\n", escapeMarkdown(env.Label()), c.Add, c.Change, c.Destroy, highest)
	}
	fmt.Fprintf(bw, "\n**%s**\n", escapeMarkdown(summaryLine(p.Summary())))

	var high []Change
	for _, ch := range p.Changes {
		if ch.Risk == RiskHigh {
			high = append(high, ch)
		}
	}
	if len(high) > 0 {
		fmt.Fprint(bw, "\n#### ⚠️ High-risk changes\n\n")
		for _, ch := range high {
			fmt.Fprintf(bw, "- **%s** · %s %s %s — %s\n", escapeMarkdown(envLabel(ch.Env)), actionWord(ch.Action), escapeMarkdown(string(ch.Target)), inlineCode(ch.Name), escapeMarkdown(ch.Reason))
		}
	}
	var conflicts []Change
	for _, ch := range p.Changes {
		if ch.Conflict != "" {
			conflicts = append(conflicts, ch)
		}
	}
	if len(conflicts) > 0 {
		fmt.Fprint(bw, "\n#### ⛔ Conflicts\n\n")
		for _, ch := range conflicts {
			fmt.Fprintf(bw, "- **%s** · %s %s — %s\n", escapeMarkdown(envLabel(ch.Env)), escapeMarkdown(string(ch.Target)), inlineCode(ch.Name), escapeMarkdown(ch.Conflict))
		}
	}

	text := &TextReporter{}
	for _, env := range p.Environments {
		changes := p.ChangesIn(env.Name)
		if len(changes) == 0 {
			continue
		}
		c := p.EnvironmentSummary(env.Name)
		fmt.Fprintf(bw, "\n<details><summary><b>%s</b>: %s · highest risk %s</summary>\n\n",
			escapeHTML(env.heading()), escapeHTML(countsText(c)), escapeHTML(string(c.Highest())))
		var body strings.Builder
		for _, ch := range changes {
			text.writeChange(&body, ch, newTextStyle(false), "")
		}
		fence := codeFence(body.String())
		fmt.Fprintf(bw, "%sdiff\n%s%s\n\n</details>\n", fence, body.String(), fence)
	}
	return bw.Flush()
}

func envLabel(env string) string { return Environment{Name: env}.Label() }

func actionWord(a Action) string {
	switch a {
	case ActionCreate:
		return "create"
	case ActionDelete:
		return "delete"
	}
	return "update"
}

// codeFence returns a backtick fence longer than any run of backticks in s.
func codeFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// inlineCode writes s as a code span, with a delimiter longer than any
// run of backticks inside.
func inlineCode(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	delim := strings.Repeat("`", longest+1)
	if longest > 0 {
		return delim + " " + s + " " + delim
	}
	return delim + s + delim
}

// markdownEscaper escapes the characters that would start Markdown or
// HTML syntax inside running text or a table cell.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", `\#`, "\n", " ",
)

func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func escapeHTML(s string) string { return htmlEscaper.Replace(s) }
