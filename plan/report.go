package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/internal/secret"
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

// SensitiveMarker stands for a sensitive value in every report (Terraform's
// convention); SensitiveChanged for one that changed.
const (
	SensitiveMarker  = secret.Marker
	SensitiveChanged = secret.Changed
)

// riskBadge marks a risk class in tables and lists.
var riskBadge = map[Risk]string{
	RiskHigh:   "🔴",
	RiskMedium: "🟠",
	RiskLow:    "🟢",
}

// verdict is the plan in a few words: "🔴 2 high-risk changes".
func verdict(p *Plan) string {
	c := p.Summary()
	n := len(p.Changes)
	switch {
	case !p.HasChanges():
		return "✅ no changes"
	case c.High > 0:
		return fmt.Sprintf("🔴 %s", plural(c.High, "high-risk change"))
	case c.Medium > 0:
		return fmt.Sprintf("🟠 %s to review", plural(c.Medium, "medium-risk change"))
	}
	return fmt.Sprintf("🟢 %s", plural(n, "low-risk change"))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// summaryLine is Terraform's summary with the risk counts:
// "Plan: 2 to add, 3 to change, 1 to destroy · risk: 1 high, 4 low · 12 rendered objects".
func summaryLine(p *Plan) string {
	c := p.Summary()
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
	if c.Findings > 0 {
		s += " · " + plural(c.Findings, "new finding")
	}
	if fixed := p.fixedFindings(); len(fixed) > 0 {
		s += fmt.Sprintf(" · %d fixed", len(fixed))
	}
	if len(p.Objects) == 0 {
		return s + " · no rendered object changes"
	}
	return s + " · " + plural(len(p.Objects), "rendered object") + " changed"
}

func (p *Plan) fixedFindings() []FindingRef {
	var out []FindingRef
	for _, f := range p.Findings {
		if !f.New {
			out = append(out, f)
		}
	}
	return out
}

// baselineNote says what the plan compared with.
func baselineNote(p *Plan) string {
	if p.SpecBaseline {
		return fmt.Sprintf("Compared with the specs at %s.", p.Baseline)
	}
	return fmt.Sprintf("Compared with %s: rendered output only, no spec baseline, so changes are shown as rendered objects and their spec edits are not known (use --base REF for a plan in the spec's terms).", p.Baseline)
}

// noChanges is the sentence for an empty plan.
func noChanges(p *Plan) string {
	if p.SpecBaseline {
		return fmt.Sprintf("No changes. The specs and their rendered output match %s.", p.Baseline)
	}
	return fmt.Sprintf("No changes. The rendered output matches %s (rendered output only: no spec baseline).", p.Baseline)
}

// gridEnvs are the environments of the grid: prod first (the reverse of
// promotion order).
func gridEnvs(p *Plan) []string {
	var out []string
	for i := len(p.Environments) - 1; i >= 0; i-- {
		out = append(out, p.Environments[i].Name)
	}
	for _, c := range p.Changes {
		if len(c.Environments) == 0 {
			// Platform and policy changes apply everywhere at once.
			return append(out, "")
		}
	}
	return out
}

// gridLabel is a grid column's heading.
func gridLabel(env string) string {
	if env == "" {
		return "all environments"
	}
	return env
}

// folds are the plan's changes grouped by service, riskiest service first;
// the group "" (platform, environments, policies, unexplained objects)
// comes first among equals.
type fold struct {
	group   string
	risk    Risk
	changes []*Change
}

func (f fold) label() string {
	if f.group == "" {
		return "platform, environments and policies"
	}
	return f.group
}

func folds(p *Plan) []fold {
	idx := map[string]int{}
	var out []fold
	for _, c := range p.Changes {
		g := c.group()
		i, ok := idx[g]
		if !ok {
			i = len(out)
			idx[g] = i
			out = append(out, fold{group: g})
		}
		out[i].changes = append(out[i].changes, c)
		if c.Risk.rank() > out[i].risk.rank() {
			out[i].risk = c.Risk
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].risk.rank() != out[j].risk.rank() {
			return out[i].risk.rank() > out[j].risk.rank()
		}
		if (out[i].group == "") != (out[j].group == "") {
			return out[i].group == ""
		}
		return out[i].group < out[j].group
	})
	return out
}

// lineKind is what a line of a diff block is.
type lineKind int

const (
	lineHeader    lineKind = iota // @@ env · what · risk @@
	lineNote                      // a reason or a position, on its own line
	lineOld                       // - old value
	lineNew                       // + new value
	lineSensitive                 // ! a sensitive value changed
	lineConflict                  // ! conflict
)

type diffLine struct {
	kind lineKind
	text string
	risk Risk
}

// changeLines are the diff lines of a change, and of its objects when
// objects is set.
func changeLines(p *Plan, c *Change, objects bool) []diffLine {
	var out []diffLine
	what := c.Title()
	if c.Scope == ScopeService && len(c.Path) > 2 {
		what = c.Service + " " + c.relPath().String()
	}
	envs := envText(c.Environments)
	out = append(out, diffLine{kind: lineHeader, text: fmt.Sprintf("@@ %s · %s · %s @@", envs, what, c.Risk), risk: c.Risk})
	reason := c.Reason
	if len(c.Risks) > 1 && !sameRisk(c.Risks) {
		var per []string
		for _, e := range c.Environments {
			if r, ok := c.Risks[e]; ok {
				per = append(per, e+" "+string(r))
			}
		}
		reason += " (" + strings.Join(per, ", ") + ")"
	}
	out = append(out, diffLine{kind: lineNote, text: "# " + reason})
	reached := make([]string, len(c.Services))
	for i, s := range c.Services {
		reached[i] = s + " (" + string(c.serviceRisk[s]) + ")"
	}
	for _, l := range wrapList("# reaches ", reached) {
		out = append(out, diffLine{kind: lineNote, text: l})
	}
	if c.Pos.IsValid() {
		out = append(out, diffLine{kind: lineNote, text: "# at " + c.Pos.String()})
	}
	label := c.relPath().String()
	if c.Scope != ScopeService {
		label = c.Path.String()
	}
	switch {
	case c.Scope == ScopeObjects, c.Scope == ScopeFinding:
	case c.Sensitive:
		out = append(out, diffLine{kind: lineSensitive, text: "! " + label + ": " + SensitiveChanged})
	case c.Action == ActionRename:
		out = append(out, diffLine{kind: lineOld, text: "- " + fmt.Sprint(c.From)}, diffLine{kind: lineNew, text: "+ " + fmt.Sprint(c.To)})
	case c.Scope == ScopeService && len(c.Path) == 2:
		// A whole service: its resolved fields would bury the plan; its
		// objects say what it is.
		if c.Action == ActionDelete {
			out = append(out, diffLine{kind: lineOld, text: "- service " + c.Service})
		} else {
			out = append(out, diffLine{kind: lineNew, text: "+ service " + c.Service})
		}
	default:
		for _, l := range valueLines(label, c.From) {
			out = append(out, diffLine{kind: lineOld, text: "- " + l})
		}
		for _, l := range valueLines(label, c.To) {
			out = append(out, diffLine{kind: lineNew, text: "+ " + l})
		}
	}
	if !objects {
		return out
	}
	for _, o := range c.Objects {
		out = append(out, objectLines(c, o)...)
	}
	return out
}

// wrapList writes names after lead, comma-separated, on lines of at most
// maxLine characters (a name is never cut); none for no names.
func wrapList(lead string, names []string) []string {
	if len(names) == 0 {
		return nil
	}
	var out []string
	line := lead
	for i, n := range names {
		item := n
		if i < len(names)-1 {
			item += ","
		}
		if line != lead && len(line)+1+len(item) > maxLine {
			out = append(out, line)
			line = "#  "
		}
		if line != lead && line != "#  " {
			line += " "
		}
		line += item
	}
	return append(out, line)
}

func sameRisk(rs map[string]Risk) bool {
	var first Risk
	for _, r := range rs {
		if first == "" {
			first = r
		} else if r != first {
			return false
		}
	}
	return true
}

// objectLines are the diff lines of one object change.
func objectLines(c *Change, o *ObjectChange) []diffLine {
	env := o.Env
	if env == "" {
		env = "all environments"
	}
	r := c.Risk
	if rr, ok := c.Risks[o.Env]; ok {
		r = rr
	}
	out := []diffLine{{kind: lineHeader, text: fmt.Sprintf("@@ %s · %s %s · %s @@", env, o.Target, o.Name, r), risk: r}}
	switch o.Action {
	case ActionCreate:
		out = append(out, diffLine{kind: lineNew, text: "+ " + o.Name + " created"})
	case ActionDelete:
		out = append(out, diffLine{kind: lineOld, text: "- " + o.Name + " deleted"})
	default:
		for _, f := range o.Fields {
			path := f.Path
			if path == "" {
				path = "(content)"
			}
			if c.Sensitive && f.Op != FieldRemove {
				out = append(out, diffLine{kind: lineSensitive, text: "! " + path + ": " + SensitiveChanged})
				continue
			}
			if f.Op != FieldAdd {
				for _, l := range valueLines(path, f.Before) {
					out = append(out, diffLine{kind: lineOld, text: "- " + l})
				}
			}
			if f.Op != FieldRemove {
				for _, l := range valueLines(path, f.After) {
					out = append(out, diffLine{kind: lineNew, text: "+ " + l})
				}
			}
		}
	}
	if o.Conflict != "" {
		out = append(out, diffLine{kind: lineConflict, text: "! conflict: " + o.Conflict})
	}
	return out
}

// maxInline is the longest list or map written on one line, and maxLine
// the longest "path: value" line a list or map is written on (issue 15:
// lines of at most 120 characters where possible).
const (
	maxInline = 80
	maxLine   = 120
)

// fitsInline reports whether a list or map written as s goes on path's line.
func fitsInline(path, s string) bool {
	return len(s) <= maxInline && utf8.RuneCountInString(path)+2+len(s) <= maxLine
}

// valueLines writes a value under a path as lines "path: value", never
// cutting a value: a map or a long list is written one leaf per line.
func valueLines(path string, v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case map[string]any:
		if len(v) == 0 {
			return []string{path + ": {}"}
		}
		if s := canonicalJSON(v); fitsInline(path, s) && !hasNested(v) {
			return []string{path + ": " + s}
		}
		var out []string
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range v {
				if !yield(k) {
					return
				}
			}
		}) {
			out = append(out, valueLines(joinPath(path, k), v[k])...)
		}
		return out
	case []any:
		if s := canonicalJSON(v); fitsInline(path, s) {
			return []string{path + ": " + s}
		}
		var out []string
		for i, e := range v {
			out = append(out, valueLines(path+"["+strconv.Itoa(i)+"]", e)...)
		}
		return out
	}
	return []string{path + ": " + scalarText(v)}
}

func hasNested(m map[string]any) bool {
	for _, v := range m {
		switch v.(type) {
		case map[string]any, []any:
			return true
		}
	}
	return false
}

func joinPath(path, key string) string {
	sel := fieldpath.Path{fieldpath.Field(key)}.String()
	if path == "" || path == "(content)" {
		return sel
	}
	return path + "." + sel
}

// scalarText writes a scalar: strings quoted, numbers and booleans as
// they are.
func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return canonicalJSON(v)
}

// reviewLines are the high and medium changes, as "Review first" lists
// them.
func reviewChanges(p *Plan) []*Change {
	var out []*Change
	for _, c := range p.Changes {
		if c.Risk.AtLeast(RiskMedium) {
			out = append(out, c)
		}
	}
	return out
}

// edge is a dependency edge of the Mermaid graph.
type edge struct {
	from, to string
	// how is "added", "removed", "renamed from X" or "" for context.
	how  string
	envs []string
}

// changedEdges are the dependency edges the plan adds, removes or
// retargets, then the head's other edges one hop out of their services.
func changedEdges(p *Plan) []edge {
	var changed []edge
	nodes := map[string]bool{}
	for _, c := range p.Changes {
		if c.Scope != ScopeService || len(c.Path) != 4 || c.Path[2].Name != "dependencies" {
			continue
		}
		e := edge{from: c.Service, to: c.Path[3].Name, envs: c.Environments}
		switch c.Action {
		case ActionCreate:
			e.how = "added"
		case ActionDelete:
			e.how = "removed"
		case ActionRename:
			e.how = fmt.Sprintf("was %v", c.From)
		default:
			continue
		}
		changed = append(changed, e)
		nodes[e.from], nodes[e.to] = true, true
	}
	if len(changed) == 0 {
		return nil
	}
	seen := map[[2]string]bool{}
	for _, e := range changed {
		seen[[2]string{e.from, e.to}] = true
	}
	var context []edge
	for _, from := range slices.Sorted(mapKeys(p.graph)) {
		for _, to := range p.graph[from] {
			if seen[[2]string{from, to}] || !(nodes[from] || nodes[to]) {
				continue
			}
			seen[[2]string{from, to}] = true
			context = append(context, edge{from: from, to: to})
		}
	}
	return append(changed, context...)
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
