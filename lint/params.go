package lint

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/schema"
)

// ParamValue is a parameter with the value in force for a spec.
type ParamValue struct {
	Param
	Value any `json:"value"`
	// Pos is where the spec sets the value (policies.rules[ID].params);
	// zero when the default is in force.
	Pos schema.Pos `json:"pos,omitzero"`
}

// check returns why v does not fit p's schema, or "" when it does.
func (p Param) check(v any) string {
	n, isNum := toNumber(v)
	switch p.Type {
	case "number":
		if !isNum {
			return fmt.Sprintf("must be a number, not %s", describe(v))
		}
	case "integer":
		if !isNum || n != math.Trunc(n) {
			return fmt.Sprintf("must be an integer, not %s", describe(v))
		}
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Sprintf("must be a string, not %s", describe(v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Sprintf("must be a boolean, not %s", describe(v))
		}
	case "array":
		if _, ok := v.([]any); !ok {
			return fmt.Sprintf("must be a list, not %s", describe(v))
		}
	case "object":
		if _, ok := v.(map[string]any); !ok {
			return fmt.Sprintf("must be a struct, not %s", describe(v))
		}
	}
	if isNum {
		if p.Minimum != nil && n < *p.Minimum {
			return fmt.Sprintf("must be at least %s, got %s", formatNumber(*p.Minimum), formatNumber(n))
		}
		if p.Maximum != nil && n > *p.Maximum {
			return fmt.Sprintf("must be at most %s, got %s", formatNumber(*p.Maximum), formatNumber(n))
		}
	}
	if len(p.Enum) > 0 {
		nv := normalize(v)
		for _, e := range p.Enum {
			if reflect.DeepEqual(normalize(e), nv) {
				return ""
			}
		}
		allowed := make([]string, len(p.Enum))
		for i, e := range p.Enum {
			allowed[i] = jsonText(e)
		}
		return fmt.Sprintf("must be one of %s, got %s", strings.Join(allowed, ", "), jsonText(v))
	}
	return ""
}

// resolveParams validates the params the spec sets for rule r against the
// rule's METADATA schema and returns every parameter with the value in
// force. Each mistake is an error at the user's file:line.
func resolveParams(m *schema.Model, r *Rule, set map[string]any) ([]ParamValue, []*diag.Diagnostic) {
	var errs []*diag.Diagnostic
	names := make([]string, len(r.Params))
	for i, p := range r.Params {
		names[i] = p.Name
	}
	base := fieldpath.New("policies", "rules", r.ID, "params")
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if contains(names, k) {
			continue
		}
		path := base.Field(k)
		msg := fmt.Sprintf("unknown parameter %q of rule %s", k, r.ID)
		switch {
		case len(names) == 0:
			msg += " (it takes no parameters)"
		default:
			msg += diag.DidYouMean(k, names) + " (parameters: " + strings.Join(names, ", ") + ")"
		}
		errs = append(errs, &diag.Diagnostic{Pos: posOf(m, path), Path: path, Message: msg})
	}
	out := make([]ParamValue, 0, len(r.Params))
	for _, p := range r.Params {
		pv := ParamValue{Param: p, Value: p.Default}
		if v, ok := set[p.Name]; ok {
			path := base.Field(p.Name)
			pv.Pos = posOf(m, path)
			if msg := p.check(v); msg != "" {
				errs = append(errs, &diag.Diagnostic{Pos: pv.Pos, Path: path, Message: fmt.Sprintf("parameter %s of rule %s %s", p.Name, r.ID, msg)})
			}
			pv.Value = normalize(v)
		}
		out = append(out, pv)
	}
	return out, errs
}

// paramsDocument is the value of data.govctl.params[ID] for a rule.
func paramsDocument(values []ParamValue) map[string]any {
	doc := make(map[string]any, len(values))
	for _, v := range values {
		doc[v.Name] = v.Value
	}
	return doc
}

// toNumber returns v as a float64 when it is a number of any Go type the
// decoders produce (CUE decodes integers as int, YAML and JSON as float64).
func toNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// normalize returns v as plain JSON values (float64 numbers, []any,
// map[string]any), so values from CUE, YAML and JSON compare equal.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

func formatNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// describe names a value and its type for an error message.
func describe(v any) string {
	return typeName(v) + " " + jsonText(v)
}

func typeName(v any) string {
	if _, ok := toNumber(v); ok {
		return "number"
	}
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "list"
	case map[string]any:
		return "struct"
	}
	return fmt.Sprintf("%T", v)
}
