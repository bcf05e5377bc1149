package lint

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/schema"
)

// sandboxed are the builtins a govctl policy may not call, by exact name or
// name prefix, with the reason the user is told. Lint results must depend
// on the spec alone: no network, nothing from the process environment
// (opa.runtime would leak CI secrets), no randomness and no clock.
var sandboxed = []struct {
	name   string
	prefix bool
	why    string
}{
	{"http.send", false, "policies have no network access"},
	{"net.", true, "policies have no network access"},
	{"opa.runtime", false, "it would expose the process environment (CI secrets)"},
	{"rand.", true, "lint results must be reproducible"},
	{"uuid.", true, "lint results must be reproducible"},
	{"time.now_ns", false, "read the time from input.now, so results are reproducible"},
}

// sandboxReason says why the builtin is not available, or ok is false
// when it is.
func sandboxReason(builtin string) (why string, ok bool) {
	for _, s := range sandboxed {
		if builtin == s.name || (s.prefix && strings.HasPrefix(builtin, s.name)) {
			return s.why, true
		}
	}
	return "", false
}

// Capabilities are OPA's builtins for this version without the sandboxed
// ones (network, process environment, randomness, the clock), and no hosts
// to fetch remote schemas from: every Rego govctl evaluates, lint rules and
// plan's risk rules alike, compiles against them. A policy that calls a
// removed builtin fails to compile ("undefined function"), which
// compileErrors turns into the sandbox's message.
var Capabilities = sync.OnceValue(func() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0:0]
	for _, b := range caps.Builtins {
		if _, banned := sandboxReason(b.Name); !banned {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
})

// parserOptions parse Rego v1 with METADATA and the sandbox's capabilities.
func parserOptions() ast.ParserOptions {
	return ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true, Capabilities: Capabilities()}
}

// regoErrors turns OPA parse or compile errors into spec errors at
// file:line:col, naming a sandboxed builtin when that is the cause.
func regoErrors(err error) []*diag.Diagnostic {
	var list ast.Errors
	if !errors.As(err, &list) {
		var one *ast.Error
		if !errors.As(err, &one) {
			return []*diag.Diagnostic{{Message: err.Error()}}
		}
		list = ast.Errors{one}
	}
	out := make([]*diag.Diagnostic, 0, len(list))
	for _, e := range list {
		pos := schema.Pos{}
		if e.Location != nil {
			pos = schema.Pos{File: e.Location.File, Line: e.Location.Row, Column: e.Location.Col}
		}
		msg := e.Message
		if name, ok := strings.CutPrefix(msg, "undefined function "); ok {
			if why, banned := sandboxReason(name); banned {
				msg = fmt.Sprintf("%s is not allowed in govctl policies: %s", name, why)
			}
		}
		out = append(out, &diag.Diagnostic{Pos: pos, Message: msg})
	}
	return out
}
