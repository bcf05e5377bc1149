package schema

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"

	"github.com/govctl/govctl/internal/fieldpath"
)

// CUE's messages name CUE's own vocabulary: regular expressions, validator
// calls such as time.Duration(), kinds such as int. The user wrote a spec,
// not CUE, so every message is restated in the spec's words: what the field
// takes, with an example.

// durationWords is what a duration looks like.
const durationWords = `a duration in quotes, such as "800ms", "5s" or "1m30s" (a number and a unit: ns, us, ms, s, m, h)`

// patternWords says, for each pattern the schema constrains a string with,
// what a matching value looks like. A pattern not listed here is reported
// without being shown (schema_test checks that every pattern is listed).
var patternWords = map[string]string{
	`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`:   `must be a DNS label: lowercase letters, digits and '-', starting with a letter, at most 63 characters, e.g. "team-orders"`,
	`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`:   `must be a GitHub repository as owner/name, e.g. "acme/shop"`,
	`^[A-Za-z0-9-]+(/[A-Za-z0-9_.-]+)?$`:  `must be a GitHub user ("alice") or an organisation team ("acme/sre")`,
	`^[a-zA-Z_:][a-zA-Z0-9_:]*$`:          `must be a Prometheus metric name: letters, digits, '_' and ':', not starting with a digit, e.g. "istio_requests_total"`,
	`^[a-z0-9][a-z0-9._/:-]*[a-z0-9]$`:    `must be an image reference without a tag: lowercase letters, digits and . _ / : -, e.g. "ghcr.io/acme/orders" (the tag is the version field)`,
	`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`: `must be an image tag: letters, digits, '_', '.' and '-', not starting with '.' or '-', at most 128 characters, e.g. "v1.4.2"`,
	`^[a-z0-9-]+/[a-z0-9-]+$`:             `must be a gateway as namespace/name, e.g. "istio-system/istio-ingressgateway"`,
	`^[a-z0-9-]+$`:                        `must be an HTTP header name in lowercase letters, digits and '-', e.g. "x-env"`,
	`^/`:                                  `must be a path starting with '/', e.g. "/health"`,
	`^[A-Za-z0-9_.:-]+$`:                  `must be a Nacos name: letters, digits and . _ : -, e.g. "orders.yaml"`,
	`^[A-Z]+(-[A-Z]+)*-[0-9]{3}$`:         `must be a rule id such as "GOV-RES-003" (` + "`govctl rules`" + ` lists them)`,
	`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`:        `must be a date as YYYY-MM-DD, e.g. "2026-12-31"`,
	`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$`: `must be a DNS name: two or more dot-separated labels of lowercase letters, digits and '-', e.g. "shop.example.com"`,
	`^[A-Za-z0-9][-A-Za-z0-9_.]*$`:                                      `must be a MeshConfig extension provider name: letters, digits, '-', '_' and '.', e.g. "otel"`,
}

// userMessage restates a CUE error message in the spec's words; field is
// the schema of the field at fault, when known, for stating its whole
// range. It returns "" for a message it has nothing better for.
func userMessage(e cueerrors.Error, field cue.Value) string {
	format, args := e.Msg()
	str := func(i int) string {
		if i < len(args) {
			return fmt.Sprint(args[i])
		}
		return ""
	}
	// CUE's formats mix %v and %s for the same message.
	switch strings.ReplaceAll(strings.ReplaceAll(format, "%v", "%s"), "%d", "%s") {
	case "conflicting values %s and %s (mismatched types %s and %s)":
		// One side is the user's value, the other what the schema wants:
		// a kind (int, string) or a validator (time.Duration()).
		a, b, ka, kb := str(0), str(1), str(2), str(3)
		if isSchemaSide(a) && !isSchemaSide(b) {
			a, b, ka, kb = b, a, kb, ka
		}
		return fmt.Sprintf("%s is %s; want %s", a, kindWords(ka), wantWords(b, kb))
	case "invalid value %s (out of bound %s)":
		if lo, hi := numberRange(field); lo != "" && hi != "" && !strings.HasPrefix(str(1), "=~") && !strings.HasPrefix(str(1), "!") {
			return fmt.Sprintf("%s is out of range: must be %s and %s", str(0), boundPhrase(lo), boundPhrase(hi))
		}
		return boundWords(str(0), str(1))
	case "invalid value %s (does not satisfy %s)":
		return satisfyWords(str(0), str(1))
	case "incompatible list lengths (%s and %s)":
		return fmt.Sprintf("the list has a different number of elements than the other value it is unified with (%s and %s); set the whole list in one place", str(0), str(1))
	case "invalid interpolation: %s":
		return "a string interpolation \\(…) refers to a value that is not known or not valid here"
	}
	return ""
}

// isSchemaSide reports whether a side of a type conflict is a type or a
// validator rather than a value.
func isSchemaSide(s string) bool {
	switch s {
	case "int", "float", "number", "string", "bool", "bytes", "null", "struct", "list", "_":
		return true
	}
	return strings.HasSuffix(s, ")") && strings.Contains(s, "(") && !strings.HasPrefix(s, "\"")
}

// kindWords names a CUE kind as the user knows it.
func kindWords(kind string) string {
	switch kind {
	case "int":
		return "a whole number"
	case "float", "number":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct":
		return "a struct { … }"
	case "list":
		return "a list [ … ]"
	case "null":
		return "null"
	}
	return "a " + kind
}

// wantWords says what the schema side of a conflict takes.
func wantWords(side, kind string) string {
	switch {
	case strings.Contains(side, "time.Duration"):
		return durationWords
	case strings.Contains(side, "strings.MinRunes"):
		return "a string"
	}
	return kindWords(kind)
}

// numberRange returns the lower and upper bounds the schema field sets on
// a number, as CUE prints them (">=0", "<=1000"), by asking CUE to check
// a very small and a very large number against it; "" for a side without
// a bound.
func numberRange(field cue.Value) (lo, hi string) {
	if !field.Exists() {
		return "", ""
	}
	for _, probe := range []int64{-1 << 62, 1 << 62} {
		err := field.Unify(field.Context().Encode(probe)).Validate()
		for _, e := range cueerrors.Errors(err) {
			format, args := e.Msg()
			if strings.ReplaceAll(format, "%v", "%s") != "invalid value %s (out of bound %s)" || len(args) < 2 {
				continue
			}
			b := fmt.Sprint(args[1])
			switch {
			case probe < 0 && strings.HasPrefix(b, ">"):
				lo = b
			case probe > 0 && strings.HasPrefix(b, "<"):
				hi = b
			}
		}
	}
	return lo, hi
}

// boundPhrase says a bound as CUE prints it (">=0") in words ("at least 0").
func boundPhrase(bound string) string {
	for _, op := range []struct{ prefix, words string }{
		{">=", "at least "}, {"<=", "at most "}, {">", "more than "}, {"<", "less than "},
	} {
		if n, ok := strings.CutPrefix(bound, op.prefix); ok {
			return op.words + n
		}
	}
	return bound
}

// schemaAt returns the schema of the field at path below root, following
// pattern constraints and list elements.
func schemaAt(root cue.Value, path fieldpath.Path) cue.Value {
	cur := root
	for _, sel := range path {
		if sel.IsIndex {
			cur = cur.LookupPath(cue.MakePath(cue.AnyIndex))
		} else if next, ok := schemaChild(cur, sel.Name); ok {
			cur = next
		} else {
			return cue.Value{}
		}
		if !cur.Exists() {
			return cue.Value{}
		}
	}
	return cur
}

// boundWords explains a value outside a bound: a number range or a string
// pattern, never showing the pattern itself.
func boundWords(value, bound string) string {
	for _, op := range []struct{ prefix, words string }{
		{">=", "must be at least %s"},
		{"<=", "must be at most %s"},
		{">", "must be more than %s"},
		{"<", "must be less than %s"},
	} {
		if n, ok := strings.CutPrefix(bound, op.prefix); ok && !strings.HasPrefix(n, "=") {
			return fmt.Sprintf("%s is out of range: "+op.words, value, n)
		}
	}
	if bound == `!=""` {
		return "must not be empty"
	}
	if pat, ok := strings.CutPrefix(bound, "=~"); ok {
		if words, ok := patternWords[unquoteCUE(pat)]; ok {
			return fmt.Sprintf("%s %s", value, words)
		}
		return fmt.Sprintf("%s does not have the form this field takes (`govctl schema` shows the field)", value)
	}
	if strings.HasPrefix(bound, "!~") {
		return fmt.Sprintf("%s has a form this field does not allow (`govctl schema` shows the field)", value)
	}
	return ""
}

// satisfyWords explains a value a validator rejected.
func satisfyWords(value, validator string) string {
	switch {
	case strings.HasPrefix(validator, "time.Duration"):
		return fmt.Sprintf("%s is not a duration; write %s", value, durationWords)
	case strings.HasPrefix(validator, "strings.MinRunes("):
		n := strings.TrimSuffix(strings.TrimPrefix(validator, "strings.MinRunes("), ")")
		return fmt.Sprintf("%s is too short: write at least %s characters", value, n)
	case strings.HasPrefix(validator, "strings.MaxRunes("):
		n := strings.TrimSuffix(strings.TrimPrefix(validator, "strings.MaxRunes("), ")")
		return fmt.Sprintf("%s is too long: write at most %s characters", value, n)
	}
	return fmt.Sprintf("%s is not valid here (`govctl schema` shows the field)", value)
}

// unquoteCUE reads a CUE string literal as printed in a message: "…" with
// Go-compatible escapes, or #"…"# raw.
func unquoteCUE(s string) string {
	if strings.HasPrefix(s, `#"`) && strings.HasSuffix(s, `"#`) {
		return s[2 : len(s)-2]
	}
	var out strings.Builder
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		body := s[1 : len(s)-1]
		for i := 0; i < len(body); i++ {
			if body[i] == '\\' && i+1 < len(body) {
				i++
			}
			out.WriteByte(body[i])
		}
		return out.String()
	}
	return s
}

// requiredWhen says, for a field the schema requires only when another
// field has some value, what to write; cause is the field that made it
// required, where the message points. Paths are relative to the service.
var requiredWhen = map[string]struct{ cause, words string }{
	"workload.serviceAccount": {
		cause: "workload.managed",
		words: `with managed: false govctl renders no workload: set serviceAccount to the Kubernetes service account the existing workload runs as, the identity AuthorizationPolicies admit, e.g. serviceAccount: "orders"`,
	},
	"resilience.rateLimit.redis": {
		cause: "resilience.rateLimit.backend",
		words: `a "redis" backend shares one bucket among all instances: set redis to the Redis that keeps it, as host:port (e.g. redis: "redis.shop:6379") or the name of a service of kind "cache"; or use backend: "local"`,
	},
}

// requiredWhenWords says what to write for a missing field that another
// field's value made required; rel is its path relative to the service.
func requiredWhenWords(rel fieldpath.Path) (string, bool) {
	w, ok := requiredWhen[rel.String()]
	return w.words, ok && len(rel) > 0
}

// missingCause is the path (relative to the service) of the field whose
// value made the field at rel required, if the schema makes it so.
func missingCause(rel fieldpath.Path) (fieldpath.Path, bool) {
	w, ok := requiredWhen[rel.String()]
	if !ok || len(rel) == 0 {
		return nil, false
	}
	return fieldpath.New(strings.Split(w.cause, ".")...), true
}
