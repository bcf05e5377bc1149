package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/diff"
)

// SetLikeFields are the list fields, by name wherever they occur, whose
// order means nothing to the system that reads them: a reordering is no
// change, and an element added or removed is reported at "<list>[]". The
// value says why. Every other list is ordered and compared position by
// position; notably ordered are VirtualService http routes, matches and
// route destinations (first match wins, weights pair with destinations),
// the Kratos middleware chain (recovery must wrap everything), canary
// steps and workflow steps.
var SetLikeFields = map[string]string{
	// Istio.
	"hosts":    "a VirtualService, Sidecar egress listener or AuthorizationPolicy operation matches any of its hosts",
	"gateways": "a VirtualService binds to each of its gateways",
	"exportTo": "visibility is the set of namespaces listed",
	// AuthorizationPolicy sources and operations match any listed value.
	"principals":           "an AuthorizationPolicy source matches any listed principal",
	"notPrincipals":        "an AuthorizationPolicy source excludes every listed principal",
	"requestPrincipals":    "an AuthorizationPolicy source matches any listed request principal",
	"notRequestPrincipals": "an AuthorizationPolicy source excludes every listed request principal",
	"namespaces":           "an AuthorizationPolicy source matches any listed namespace",
	"notNamespaces":        "an AuthorizationPolicy source excludes every listed namespace",
	"ipBlocks":             "an AuthorizationPolicy source matches any listed block",
	"notIpBlocks":          "an AuthorizationPolicy source excludes every listed block",
	"remoteIpBlocks":       "an AuthorizationPolicy source matches any listed block",
	"notRemoteIpBlocks":    "an AuthorizationPolicy source excludes every listed block",
	"methods":              "an AuthorizationPolicy operation matches any listed method",
	"notMethods":           "an AuthorizationPolicy operation excludes every listed method",
	"ports":                "an AuthorizationPolicy operation matches any listed port",
	"notPorts":             "an AuthorizationPolicy operation excludes every listed port",
	"paths":                "AuthorizationPolicy operations and workflow triggers match any listed path",
	"notPaths":             "an AuthorizationPolicy operation excludes every listed path",
	// GitHub.
	"reviewers":       "any listed reviewer can approve a deployment",
	"branches":        "a workflow trigger matches any listed branch pattern",
	"branches-ignore": "a workflow trigger skips every listed branch pattern",
	"tags":            "a workflow trigger matches any listed tag pattern",
	"tags-ignore":     "a workflow trigger skips every listed tag pattern",
	"paths-ignore":    "a workflow trigger skips every listed path pattern",
	"needs":           "a job waits for all the jobs it needs, in no order",
	// govctl's own lint-rule scoping.
	"owners": "a lint rule applies to services of any listed team",
}

// setElement is the path segment of an element of a set-like list.
type setElement struct{}

// NamedListFields are the ordered list fields, by name wherever they occur,
// whose elements carry a unique `name` that the owning system documents as
// their identity: their elements are matched by name, so that removing one
// route shows as one removal, not as every later route shifting by one.
// Lists not named here (workflow steps, whose names spell out values such
// as a gate's threshold) stay positional.
var NamedListFields = map[string]string{
	"http":    "VirtualService HTTP routes (HTTPRoute.name)",
	"tcp":     "VirtualService TCP routes",
	"tls":     "VirtualService TLS routes",
	"subsets": "DestinationRule subsets (Subset.name)",
}

// routeOrderFields are the named lists whose order matters: the first
// matching route wins. Their order is compared too (orderSegment).
var routeOrderFields = map[string]bool{"http": true, "tcp": true, "tls": true}

// namedElement is the path segment of an element of a named list.
type namedElement struct{ name string }

// orderSegment is the path segment of a named list's order, reported only
// when elements on both sides changed their relative order.
type orderSegment struct{}

// orderKey is where byNameOrdered keeps the names in order; it cannot be a
// route name (names are DNS-ish labels).
const orderKey = "\x00order"

// diffTrees returns the differences between two generic trees, in path
// order (map keys sorted, list positions ascending).
//
// The walk is go-cmp's (cmp.Equal with a Reporter that records every
// unequal leaf with its path), but go-cmp never sees a list: its slice
// alignment is deliberately unstable (internal/diff starts its search
// forwards or backwards at random, so that nobody relies on its output),
// and a plan must be byte-identical from run to run. So an ordered list
// is transformed into a map from position to element (compared position
// by position, as the systems reading them do: route 1 is the second
// route), and a set-like list into a map from each element's canonical
// JSON to the element (compared as a set). homeport/dyff was the other
// candidate; it diffs YAML files well but names list entries by
// heuristics of its own and is not in the module graph, and go-cmp with
// these two transformers gives exactly the paths and semantics above.
func diffTrees(before, after any) []FieldDiff {
	r := &fieldRecorder{}
	named := func(x, y []any) bool { return namesOf(x) != nil && namesOf(y) != nil }
	cmp.Equal(before, after,
		cmp.Reporter(r),
		cmp.FilterPath(isSetLikePath, cmp.Transformer("set", setOf)),
		cmp.FilterPath(func(p cmp.Path) bool { return isNamedListPath(p) && !isRouteList(p) }, cmp.FilterValues(named, cmp.Transformer("named", byName))),
		cmp.FilterPath(isRouteList, cmp.FilterValues(named, cmp.Transformer("named", byNameOrdered))),
		cmp.FilterPath(func(p cmp.Path) bool { return !isSetLikePath(p) && !isNamedListPath(p) }, cmp.Transformer("list", positions)),
		// A listed field whose elements lack distinct names stays positional.
		cmp.FilterPath(isNamedListPath, cmp.FilterValues(func(x, y []any) bool { return !named(x, y) }, cmp.Transformer("list", positions))),
	)
	return expandDocuments(r.diffs)
}

// documentSegment is the path segment between a string field and a field
// of the document it holds (a ConfigMap's data["config.yaml"]), written
// " › " in a field path.
type documentSegment struct{}

// lineSegment is the path segment of a line of a multi-line text field.
type lineSegment struct{ n int }

// expandDocuments replaces every difference of a string field that holds a
// document by the differences of the document: a YAML or JSON mapping
// field by field (data["config.yaml"] › rate_limit.rps), other multi-line
// text line by line. A reviewer needs the lines that changed, not two
// copies of a whole Kratos bootstrap in one escaped string.
func expandDocuments(diffs []FieldDiff) []FieldDiff {
	var out []FieldDiff
	for _, d := range diffs {
		sub, ok := documentDiffs(d)
		if !ok {
			out = append(out, d)
			continue
		}
		for _, s := range sub {
			prefix := slices.Clip(d.segments)
			if len(prefix) > 0 {
				prefix = append(prefix, documentSegment{})
			}
			s.segments = append(prefix, s.segments...)
			s.Path = formatPath(s.segments)
			out = append(out, s)
		}
	}
	return out
}

// documentDiffs diffs the documents a string difference holds, or reports
// false when either side is not a document.
func documentDiffs(d FieldDiff) ([]FieldDiff, bool) {
	before, bok := d.Before.(string)
	after, aok := d.After.(string)
	switch d.Op {
	case FieldAdd:
		before, bok = "", aok
	case FieldRemove:
		after, aok = "", bok
	}
	if !bok || !aok {
		return nil, false
	}
	bt, bdoc := embeddedDocument(before)
	at, adoc := embeddedDocument(after)
	switch {
	case bdoc && adoc, bdoc && after == "", adoc && before == "":
		if bt == nil {
			bt = map[string]any{}
		}
		if at == nil {
			at = map[string]any{}
		}
		return diffTrees(bt, at), true
	case strings.Contains(before, "\n") || strings.Contains(after, "\n"):
		return lineDiffs(before, after), true
	}
	return nil, false
}

// embeddedDocument reads s as a YAML or JSON mapping. A one-line string
// counts only as a JSON object: "Bearer: x" or "a: b" in an annotation is
// text, not a document.
func embeddedDocument(s string) (map[string]any, bool) {
	if s == "" {
		return nil, false
	}
	trimmed := strings.TrimSpace(s)
	if !strings.Contains(trimmed, "\n") && !strings.HasPrefix(trimmed, "{") {
		return nil, false
	}
	docs, err := parseYAMLDocuments([]byte(s))
	if err != nil || len(docs) != 1 {
		return nil, false
	}
	m, ok := docs[0].(map[string]any)
	return m, ok
}

// lineDiffs are the lines of two texts that differ, each at its line
// number (of the old text for a removed line, the new one for an added
// line), as go-internal's anchored diff finds them.
func lineDiffs(before, after string) []FieldDiff {
	var out []FieldDiff
	var oldLine, newLine int
	for _, l := range strings.Split(string(diff.Diff("a", []byte(before), "b", []byte(after))), "\n") {
		switch {
		case strings.HasPrefix(l, "diff "), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"), strings.HasPrefix(l, `\`), l == "":
		case strings.HasPrefix(l, "@@"):
			// @@ -o,n +o,n @@
			var on, nn int
			fmt.Sscanf(l, "@@ -%d", &on)
			if _, rest, ok := strings.Cut(l, " +"); ok {
				fmt.Sscanf(rest, "%d", &nn)
			}
			oldLine, newLine = on, nn
		case strings.HasPrefix(l, "-"):
			out = append(out, FieldDiff{Op: FieldRemove, Before: l[1:], segments: []any{lineSegment{oldLine}}})
			oldLine++
		case strings.HasPrefix(l, "+"):
			out = append(out, FieldDiff{Op: FieldAdd, After: l[1:], segments: []any{lineSegment{newLine}}})
			newLine++
		default:
			oldLine++
			newLine++
		}
	}
	return out
}

// namesOf returns the elements' names when every element is a map with a
// distinct, non-empty string name; nil otherwise.
func namesOf(l []any) []string {
	names := make([]string, 0, len(l))
	seen := map[string]bool{}
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil
		}
		n, ok := m["name"].(string)
		if !ok || n == "" || seen[n] {
			return nil
		}
		seen[n] = true
		names = append(names, n)
	}
	return names
}

// byName is the named list transformer.
func byName(l []any) map[string]any {
	m := make(map[string]any, len(l))
	for _, e := range l {
		m[e.(map[string]any)["name"].(string)] = e
	}
	return m
}

// setOf is the set-like list transformer.
func setOf(l []any) map[string]any {
	m := make(map[string]any, len(l))
	for _, e := range l {
		m[canonicalJSON(e)] = e
	}
	return m
}

// positions is the ordered list transformer.
func positions(l []any) map[int]any {
	m := make(map[int]any, len(l))
	for i, e := range l {
		m[i] = e
	}
	return m
}

// canonicalJSON encodes a generic value with sorted keys.
func canonicalJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		// Generic trees always encode; keep distinct values distinct anyway.
		return "!" + reflect.TypeOf(v).String()
	}
	return string(data)
}

// byNameOrdered is byName plus the names in order, for route lists.
func byNameOrdered(l []any) map[string]any {
	m := byName(l)
	// A string, so that it is compared whole, not element by element.
	m[orderKey] = strings.Join(namesOf(l), ", ")
	return m
}

// reordered reports whether names on both sides appear in another
// relative order; adding or removing a route alone is no reorder.
func reordered(before, after []string) bool {
	inAfter := map[string]bool{}
	for _, n := range after {
		inAfter[n] = true
	}
	inBefore := map[string]bool{}
	for _, n := range before {
		inBefore[n] = true
	}
	var a, b []string
	for _, n := range before {
		if inAfter[n] {
			a = append(a, n)
		}
	}
	for _, n := range after {
		if inBefore[n] {
			b = append(b, n)
		}
	}
	for i := range a {
		if a[i] != b[i] {
			return true
		}
	}
	return false
}

// isRouteList reports whether the list at p is a route list whose order
// matters.
func isRouteList(p cmp.Path) bool {
	segs := segmentsOf(p)
	if len(segs) == 0 {
		return false
	}
	name, ok := segs[len(segs)-1].(string)
	return ok && routeOrderFields[name]
}

// isNamedListPath reports whether the list at p is in NamedListFields.
func isNamedListPath(p cmp.Path) bool {
	segs := segmentsOf(p)
	if len(segs) == 0 {
		return false
	}
	name, ok := segs[len(segs)-1].(string)
	_, listed := NamedListFields[name]
	return ok && listed
}

// isSetLikePath reports whether the list at p is in SetLikeFields.
func isSetLikePath(p cmp.Path) bool {
	segs := segmentsOf(p)
	if len(segs) == 0 {
		return false
	}
	name, ok := segs[len(segs)-1].(string)
	if !ok {
		return false
	}
	_, set := SetLikeFields[name]
	return set
}

// fieldRecorder is the cmp.Reporter that records differences.
type fieldRecorder struct {
	path  cmp.Path
	diffs []FieldDiff
}

// PushStep implements cmp.Reporter.
func (r *fieldRecorder) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }

// PopStep implements cmp.Reporter.
func (r *fieldRecorder) PopStep() { r.path = r.path[:len(r.path)-1] }

// Report implements cmp.Reporter: an unequal leaf is a difference.
func (r *fieldRecorder) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	vx, vy := r.path.Last().Values()
	segs := segmentsOf(r.path)
	if len(segs) > 0 && segs[len(segs)-1] == (orderSegment{}) {
		b, _ := valueOf(vx).(string)
		a, _ := valueOf(vy).(string)
		if !reordered(strings.Split(b, ", "), strings.Split(a, ", ")) {
			return
		}
	}
	d := FieldDiff{Path: formatPath(segs), segments: segs}
	switch {
	case !vx.IsValid():
		d.Op, d.After = FieldAdd, valueOf(vy)
	case !vy.IsValid():
		d.Op, d.Before = FieldRemove, valueOf(vx)
	default:
		d.Op, d.Before, d.After = FieldChange, valueOf(vx), valueOf(vy)
	}
	r.diffs = append(r.diffs, d)
}

func valueOf(v reflect.Value) any {
	if (v.Kind() == reflect.Interface || v.Kind() == reflect.Map || v.Kind() == reflect.Slice) && v.IsNil() {
		return nil
	}
	return v.Interface()
}

// segmentsOf turns a go-cmp path into field names (string), list positions
// (int) and set elements (setElement).
func segmentsOf(p cmp.Path) []any {
	var segs []any
	transform := ""
	for _, step := range p {
		switch s := step.(type) {
		case cmp.Transform:
			transform = s.Name()
		case cmp.MapIndex:
			switch {
			case transform == "set":
				segs = append(segs, setElement{})
			case transform == "named" && s.Key().String() == orderKey:
				segs = append(segs, orderSegment{})
			case transform == "named":
				segs = append(segs, namedElement{s.Key().String()})
			case transform == "list" && s.Key().Kind() == reflect.Int:
				segs = append(segs, int(s.Key().Int()))
			default:
				segs = append(segs, s.Key().String())
			}
			transform = ""
		}
	}
	return segs
}

// plainKey is a key written without quotes in a field path.
var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// formatPath writes segments as a jq-style path: a.b[0]["x.y"][], with
// an element of a named list as http[name=canary].
func formatPath(segs []any) string {
	var b strings.Builder
	for _, s := range segs {
		switch s := s.(type) {
		case string:
			if plainKey.MatchString(s) {
				if b.Len() > 0 && !strings.HasSuffix(b.String(), " › ") {
					b.WriteByte('.')
				}
				b.WriteString(s)
			} else {
				b.WriteString("[" + strconv.Quote(s) + "]")
			}
		case int:
			b.WriteString("[" + strconv.Itoa(s) + "]")
		case setElement:
			b.WriteString("[]")
		case namedElement:
			b.WriteString("[name=" + s.name + "]")
		case orderSegment:
			b.WriteString(" (order)")
		case documentSegment:
			b.WriteString(" › ")
		case lineSegment:
			b.WriteString("line " + strconv.Itoa(s.n))
		}
	}
	return b.String()
}
