package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/govctl/govctl/internal/diag"
)

// Reporter writes a plan in one format.
type Reporter interface {
	// Report writes p to w.
	Report(w io.Writer, p *Plan) error
}

// The formats NewReporter knows.
const (
	FormatText     = "text"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// Formats lists the formats, as `--format` accepts them.
var Formats = []string{FormatText, FormatMarkdown, FormatJSON}

// NewReporter returns the reporter for format; color applies to text only.
func NewReporter(format string, color bool) (Reporter, error) {
	switch strings.ToLower(format) {
	case FormatText, "":
		return &TextReporter{Color: color}, nil
	case FormatMarkdown, "md":
		return &MarkdownReporter{}, nil
	case FormatJSON:
		return &JSONReporter{}, nil
	}
	return nil, fmt.Errorf("unknown plan format %q (want %s)%s", format, strings.Join(Formats, ", "), diag.DidYouMean(format, Formats))
}

// summaryLine is Terraform's summary with the risk counts:
// "Plan: 2 to add, 3 to change, 1 to destroy · risk: 1 high, 4 low".
func summaryLine(c Counts) string {
	s := fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy", c.Add, c.Change, c.Destroy)
	var parts []string
	for _, r := range Risks {
		if n := c.Of(r); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, r))
		}
	}
	if len(parts) > 0 {
		s += " · risk: " + strings.Join(parts, ", ")
	}
	return s
}

// countsText is "1 to add, 2 to change" without the zero counts.
func countsText(c Counts) string {
	var parts []string
	if c.Add > 0 {
		parts = append(parts, fmt.Sprintf("%d to add", c.Add))
	}
	if c.Change > 0 {
		parts = append(parts, fmt.Sprintf("%d to change", c.Change))
	}
	if c.Destroy > 0 {
		parts = append(parts, fmt.Sprintf("%d to destroy", c.Destroy))
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// noChanges is the sentence for an empty plan.
func noChanges(p *Plan) string {
	return fmt.Sprintf("No changes. The rendered specs match %s.", p.Baseline)
}

// maxValueWidth bounds a value shown on a field line.
const maxValueWidth = 120

// formatValue writes a generic value for a field line: strings quoted,
// numbers and booleans as they are, lists and maps as compact JSON, cut to
// maxValueWidth characters.
func formatValue(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		s = "null"
	case string:
		s = strconv.Quote(v)
	case json.Number:
		s = v.String()
	case bool:
		s = strconv.FormatBool(v)
	default:
		s = canonicalJSON(v)
	}
	if utf8.RuneCountInString(s) > maxValueWidth {
		runes := []rune(s)
		s = string(runes[:maxValueWidth-1]) + "…"
	}
	return s
}

// fieldLine is "~ path: old → new", "+ path: new" or "- path: old".
func fieldLine(f FieldDiff) string {
	path := f.Path
	if path == "" {
		path = "(content)"
	}
	switch f.Op {
	case FieldAdd:
		return "+ " + path + ": " + formatValue(f.After)
	case FieldRemove:
		return "- " + path + ": " + formatValue(f.Before)
	}
	return "~ " + path + ": " + formatValue(f.Before) + " → " + formatValue(f.After)
}

// changeLine is the head line of a change: sign, target, name.
func changeLine(ch Change) string {
	return ch.Action.symbol() + " " + string(ch.Target) + " " + ch.Name
}
