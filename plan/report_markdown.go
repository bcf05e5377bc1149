package plan

import (
	"fmt"
	"io"
	"strings"
)

// MaxMarkdown is the most a Markdown plan may hold: GitHub refuses a
// comment body above 65 536 characters.
const MaxMarkdown = 65536

// MarkdownReporter writes a plan for a pull-request comment and for
// $GITHUB_STEP_SUMMARY, for a reviewer: the hidden marker
// PlanMarker(platform) first (UpsertComment finds its comment by it), the
// verdict in the title, the summary line, a service × environment grid
// (prod first), "Review first" (one line per high or medium change with its
// reason, environments and spec position), the new and fixed lint
// findings, a Mermaid graph of the dependency edges that changed, then one
// fold per service, riskiest first, holding its changes as diffs GitHub
// colours, and a footer with the command that reproduces the plan. Within
// MaxMarkdown characters; what is cut is said.
type MarkdownReporter struct {
	// Limit overrides MaxMarkdown (tests).
	Limit int
}

// Report implements Reporter.
func (r *MarkdownReporter) Report(w io.Writer, p *Plan) error {
	limit := r.Limit
	if limit <= 0 {
		limit = MaxMarkdown
	}
	// Cut in steps until the body fits: first fewer object diffs per
	// change (the same edit repeats across objects and environments), then
	// the object diffs of low, medium, every change, then whole folds.
	steps := []markdownCut{{}, {maxObjects: 12}, {maxObjects: 4}, {maxObjects: 4, objectsBelow: RiskMedium}, {maxObjects: 1, objectsBelow: RiskHigh},
		{objectsBelow: "all"}, {objectsBelow: "all", foldsBelow: RiskMedium}, {objectsBelow: "all", foldsBelow: RiskHigh}, {objectsBelow: "all", foldsBelow: "all"}}
	var body string
	for _, cut := range steps {
		body = markdown(p, cut)
		if len(body) <= limit {
			break
		}
	}
	if len(body) > limit {
		// The head alone is too long (thousands of review lines): cut at a
		// line and say so.
		note := "\n\n> ✂️ The plan was cut at the comment size limit: run the command below for all of it.\n"
		cut := strings.LastIndex(body[:limit-len(note)], "\n")
		body = body[:cut] + note
	}
	return writeScrubbed(w, p, body)
}

// markdownCut says what a Markdown plan leaves out to fit.
type markdownCut struct {
	// objectsBelow leaves out the object diffs of changes below this
	// risk ("all": of every change).
	objectsBelow Risk
	// foldsBelow leaves out the folds of services below this risk.
	foldsBelow Risk
	// maxObjects, when set, shows at most this many object diffs per
	// change, prod first.
	maxObjects int
}

func below(r, limit Risk) bool {
	if limit == "" {
		return false
	}
	if limit == "all" {
		return true
	}
	return r.rank() < limit.rank()
}

func markdown(p *Plan, cut markdownCut) string {
	var b strings.Builder
	fmt.Fprintln(&b, PlanMarker(p.Platform))
	fmt.Fprintf(&b, "### govctl plan · %s — %s\n\n", escapeMarkdown(p.Platform), verdict(p))
	if !p.HasChanges() {
		fmt.Fprintln(&b, escapeMarkdown(noChanges(p)))
		writeFooter(&b, p)
		return b.String()
	}
	fmt.Fprintf(&b, "**%s**\n\n", escapeMarkdown(summaryLine(p)))
	fmt.Fprintln(&b, escapeMarkdown(baselineNote(p)))

	// The grid: a row per service with changes, prod first.
	envs := gridEnvs(p)
	fs := folds(p)
	var heads []string
	for _, e := range envs {
		heads = append(heads, escapeMarkdown(gridLabel(e)))
	}
	fmt.Fprintf(&b, "\n| | %s |\n|---|%s\n", strings.Join(heads, " | "), strings.Repeat("---|", len(envs)))
	for _, f := range fs {
		var cells []string
		nonzero := false
		for _, env := range envs {
			c := p.Cell(f.group, env)
			if c.Total() == 0 {
				cells = append(cells, "·")
				continue
			}
			nonzero = true
			cells = append(cells, fmt.Sprintf("%s %d", riskBadge[c.Highest()], c.Total()))
		}
		if nonzero {
			fmt.Fprintf(&b, "| **%s** | %s |\n", escapeMarkdown(f.label()), strings.Join(cells, " | "))
		}
	}

	if review := reviewChanges(p); len(review) > 0 {
		fmt.Fprint(&b, "\n#### Review first\n\n")
		for _, c := range review {
			fmt.Fprintf(&b, "- %s **%s**%s — %s", riskBadge[c.Risk], escapeMarkdown(c.Subject()), escapeMarkdown(c.envSuffix()), escapeMarkdown(c.Reason))
			if c.Pos.IsValid() {
				fmt.Fprintf(&b, " · %s", inlineCode(c.Pos.String()))
			}
			fmt.Fprintln(&b)
		}
	}

	var conflicts []*ObjectChange
	for _, o := range p.Objects {
		if o.Conflict != "" {
			conflicts = append(conflicts, o)
		}
	}
	if len(conflicts) > 0 {
		fmt.Fprint(&b, "\n#### ⛔ Conflicts\n\n")
		for _, o := range conflicts {
			fmt.Fprintf(&b, "- **%s** · %s %s — %s\n", escapeMarkdown(o.Env), escapeMarkdown(string(o.Target)), inlineCode(o.Name), escapeMarkdown(o.Conflict))
		}
	}

	if fixed := p.fixedFindings(); len(fixed) > 0 {
		fmt.Fprint(&b, "\n#### Lint findings fixed\n\n")
		for _, f := range fixed {
			fmt.Fprintf(&b, "- ✅ %s %s", inlineCode(f.Rule), escapeMarkdown(findingWhere(f)+f.Message))
			fmt.Fprintf(&b, " · %s\n", inlineCode(f.Pos))
		}
	}

	if edges := changedEdges(p); len(edges) > 0 {
		fmt.Fprint(&b, "\n#### Dependencies\n\n")
		graph := mermaid(edges)
		if len(edges) > 15 {
			fmt.Fprintf(&b, "<details><summary>%d dependency edges</summary>\n\n%s\n</details>\n", len(edges), graph)
		} else {
			fmt.Fprint(&b, graph)
		}
	}

	var left []string
	fmt.Fprintln(&b)
	for _, f := range fs {
		if below(f.risk, cut.foldsBelow) {
			left = append(left, f.label())
			continue
		}
		open := ""
		if f.risk == RiskHigh {
			open = " open"
		}
		fmt.Fprintf(&b, "<details%s><summary>%s <b>%s</b> · %s</summary>\n\n", open, riskBadge[f.risk], escapeHTML(f.label()), escapeHTML(foldCounts(f)))
		var body strings.Builder
		for _, c := range f.changes {
			objects := !below(c.Risk, cut.objectsBelow)
			for _, l := range changeLines(p, c, false) {
				body.WriteString(l.text + "\n")
			}
			shown := 0
			if objects {
				for _, o := range c.Objects {
					if cut.maxObjects > 0 && shown == cut.maxObjects {
						break
					}
					for _, l := range objectLines(c, o) {
						body.WriteString(l.text + "\n")
					}
					shown++
				}
			}
			if left := len(c.Objects) - shown; left > 0 {
				body.WriteString(fmt.Sprintf("# %s left out to fit the comment\n", plural(left, "more object diff")))
			}
		}
		fence := codeFence(body.String())
		fmt.Fprintf(&b, "%sdiff\n%s%s\n\n</details>\n\n", fence, body.String(), fence)
	}
	if len(left) > 0 {
		fmt.Fprintf(&b, "> ✂️ Left out to fit the comment: the changes of %s. Run the command below for all of it.\n\n", escapeMarkdown(strings.Join(left, ", ")))
	} else if cut.objectsBelow != "" || cut.maxObjects > 0 {
		fmt.Fprint(&b, "> ✂️ Some object diffs were left out to fit the comment (marked in the folds). Run the command below for all of it.\n\n")
	}
	writeFooter(&b, p)
	return b.String()
}

func foldCounts(f fold) string {
	n := 0
	objs := 0
	for _, c := range f.changes {
		n++
		objs += len(c.Objects)
	}
	s := plural(n, "change")
	if objs > 0 {
		s += " · " + plural(objs, "object")
	}
	return s + " · " + string(f.risk)
}

func findingWhere(f FindingRef) string {
	var parts []string
	if f.Service != "" {
		parts = append(parts, f.Service)
	}
	if len(f.Environments) > 0 {
		parts = append(parts, strings.Join(f.Environments, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, " · ") + ": "
}

func writeFooter(b *strings.Builder, p *Plan) {
	if p.Command != "" {
		fmt.Fprintf(b, "<sub>Reproduce: %s</sub>\n", inlineCode(p.Command))
	}
}

// mermaid writes the dependency graph: changed edges coloured (added
// green, removed red and dotted, retargeted blue), context edges plain.
func mermaid(edges []edge) string {
	var b strings.Builder
	b.WriteString("```mermaid\ngraph LR\n")
	ids := map[string]string{}
	id := func(name string) string {
		if v, ok := ids[name]; ok {
			return v
		}
		v := fmt.Sprintf("n%d", len(ids))
		ids[name] = v
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", v, strings.ReplaceAll(name, `"`, "#quot;"))
		return v
	}
	var styles []string
	for i, e := range edges {
		from, to := id(e.from), id(e.to)
		label := e.how
		if len(e.envs) > 0 && e.how != "" {
			label += " · " + strings.Join(e.envs, ", ")
		}
		switch {
		case e.how == "added":
			fmt.Fprintf(&b, "  %s ==>|%s| %s\n", from, label, to)
			styles = append(styles, fmt.Sprintf("  linkStyle %d stroke:#1a7f37,stroke-width:3px", i))
		case e.how == "removed":
			fmt.Fprintf(&b, "  %s -.->|%s| %s\n", from, label, to)
			styles = append(styles, fmt.Sprintf("  linkStyle %d stroke:#cf222e,stroke-width:3px", i))
		case e.how != "":
			fmt.Fprintf(&b, "  %s ==>|%s| %s\n", from, label, to)
			styles = append(styles, fmt.Sprintf("  linkStyle %d stroke:#0969da,stroke-width:3px", i))
		default:
			fmt.Fprintf(&b, "  %s --> %s\n", from, to)
		}
	}
	for _, s := range styles {
		b.WriteString(s + "\n")
	}
	b.WriteString("```\n")
	return b.String()
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
