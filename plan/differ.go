package plan

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
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
	cmp.Equal(before, after,
		cmp.Reporter(r),
		cmp.FilterPath(isSetLikePath, cmp.Transformer("set", setOf)),
		cmp.FilterPath(func(p cmp.Path) bool { return !isSetLikePath(p) }, cmp.Transformer("list", positions)),
	)
	return r.diffs
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

// formatPath writes segments as a jq-style path: a.b[0]["x.y"][].
func formatPath(segs []any) string {
	var b strings.Builder
	for _, s := range segs {
		switch s := s.(type) {
		case string:
			if plainKey.MatchString(s) {
				if b.Len() > 0 {
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
		}
	}
	return b.String()
}
