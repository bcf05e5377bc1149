package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/govctl/govctl/internal/testgen"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/github"
	"github.com/govctl/govctl/render/targets"
	"github.com/govctl/govctl/schema"
)

// referenceInput is the input value as govctl first computed it, and as
// the input document's definition says rules see it: the JSON of the
// document --print-input prints, read by ast.ValueFromReader.
func referenceInput(t testing.TB, r *schema.Resolved, objects []render.Object) ast.Value {
	t.Helper()
	b, err := json.Marshal(inputFor(r, objects, fixedNow))
	if err != nil {
		t.Fatal(err)
	}
	v, err := ast.ValueFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// valueDiff describes the first difference between two AST values, "" when
// there is none. It is stricter than ast.Compare: numbers must have the
// same text (1.0 and 1 compare equal but format differently) and values
// the same Go type.
func valueDiff(path string, want, got ast.Value) string {
	if fmt.Sprintf("%T", want) != fmt.Sprintf("%T", got) {
		return fmt.Sprintf("%s: %T %v, want %T %v", path, got, got, want, want)
	}
	switch w := want.(type) {
	case ast.Object:
		g := got.(ast.Object)
		if w.Len() != g.Len() {
			return fmt.Sprintf("%s: %d keys %v, want %d %v", path, g.Len(), g.Keys(), w.Len(), w.Keys())
		}
		for _, k := range w.Keys() {
			gv := g.Get(k)
			if gv == nil {
				return fmt.Sprintf("%s: no key %v", path, k)
			}
			if d := valueDiff(path+"."+k.String(), w.Get(k).Value, gv.Value); d != "" {
				return d
			}
		}
	case *ast.Array:
		g := got.(*ast.Array)
		if w.Len() != g.Len() {
			return fmt.Sprintf("%s: %d elements, want %d", path, g.Len(), w.Len())
		}
		for i := range w.Len() {
			if d := valueDiff(fmt.Sprintf("%s[%d]", path, i), w.Elem(i).Value, g.Elem(i).Value); d != "" {
				return d
			}
		}
	case ast.Number, ast.String, ast.Boolean, ast.Null:
		if want.String() != got.String() {
			return fmt.Sprintf("%s: %v, want %v", path, got, want)
		}
	default:
		return fmt.Sprintf("%s: unexpected %T in input", path, want)
	}
	if ast.Compare(want, got) != 0 || want.Hash() != got.Hash() {
		return fmt.Sprintf("%s: values compare unequal", path)
	}
	return ""
}

// checkInputMatchesReference checks, in every environment, the input
// rules get against referenceInput.
func checkInputMatchesReference(t *testing.T, m *schema.Model, objects []render.Object) {
	t.Helper()
	envs := m.EnvironmentNames()
	converted, err := convertObjects(context.Background(), objects, envs, 2)
	if err != nil {
		t.Fatal(err)
	}
	var seen int
	for _, env := range envs {
		r, err := m.Resolve(env)
		if err != nil {
			t.Fatal(err)
		}
		got, err := converted.inputValue(r, fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		want := referenceInput(t, r, objects)
		if d := valueDiff("input", want, got); d != "" {
			t.Errorf("%s: %s", env, d)
		}
		if ast.Compare(want, got) != 0 {
			t.Errorf("%s: input differs from the JSON of the input document", env)
		}
		seen += got.(ast.Object).Get(ast.StringTerm("objects")).Value.(*ast.Array).Len()
	}
	if objects != nil && seen < len(objects) {
		t.Errorf("the environments' inputs hold %d objects, fewer than the %d rendered", seen, len(objects))
	}
}

func TestInputValueIsTheJSONOfTheInputDocument(t *testing.T) {
	ctx := context.Background()
	t.Run("shop", func(t *testing.T) {
		m := load(t, "../examples/shop")
		objects, err := targets.Render(ctx, m, m.EnvironmentNames(), targets.Options{GitHub: github.Renderer{SpecDir: "examples/shop"}})
		if err != nil {
			t.Fatal(err)
		}
		checkInputMatchesReference(t, m, objects)
	})
	t.Run("shop-without-objects", func(t *testing.T) {
		checkInputMatchesReference(t, load(t, "../examples/shop"), nil)
	})
	t.Run("generated", func(t *testing.T) {
		dir := t.TempDir()
		if err := testgen.Write(dir, testgen.Options{Services: 60, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir)
		m := load(t, ".")
		objects, err := targets.Render(ctx, m, m.EnvironmentNames(), targets.Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkInputMatchesReference(t, m, objects)
	})
}

// decodeASTCases are JSON texts whose reading the renderers' output may
// not exercise.
var decodeASTCases = []string{
	`null`, `true`, `false`, `""`, `{}`, `[]`, `[[]]`, `{"a":{}}`,
	`0`, `-0`, `1`, `-1`, `512`, `513`, `-513`, `1.0`, `1.50`, `0.1`, `1e3`, `1E+3`, `-2.5e-7`,
	`12345678901234567890123`, `1.7976931348623157e308`, `5e-324`,
	`"plain"`, `"tab\there"`, `"quote\"slash\\/"`, `"\u00e9\u4e16\ud83d\ude00"`, `"é世😀"`,
	`"\ud800"`, `"\udc00x"`, `"x\ud83d"`, `"\ud83d\u0041"`, `"\ud83d\\"`, `"\ud83d\ud83d\ude00"`,
	`"\b\f\n\r\t"`, `"\u0041\u00E9\u00e9"`, `"\u003c\u003e\u0026 \u2028"`, `"é\n世"`,
	"\"\xff\xfe bytes\"", "\"a\xc3\"", "\"\xff\\n\"",
	`{"a":1,"a":2}`, `{"a":1,"b":2,"a":{"c":3}}`,
	`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k3":"again"}`,
	` { "a" : [ 1 , 2.0 , "x" , null , true , false ] , "b" : { } } `,
	`[1,[2,[3,[4,{"five":[5]}]]]]`,
}

// decodeASTErrors are texts that are not JSON.
var decodeASTErrors = []string{
	``, ` `, `{`, `[`, `[1,]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{1:2}`, `"open`, `"ctl` + "\x01" + `"`,
	`"bad \x escape"`, `"\'"`, `"\u12"`, `"\u12zz"`, `"\ud83d\u12zz"`, `"\"`, `"\`, `01`, `-`, `1.`, `1e`, `.5`, `+1`, `tru`, `nul`, `[1 2]`, `{"a":1 "b":2}`, `1 2`, `[]]`,
}

func TestDecodeASTReadsJSONAsValueFromReader(t *testing.T) {
	for _, text := range decodeASTCases {
		want, err := ast.ValueFromReader(bytes.NewReader([]byte(text)))
		if err != nil {
			t.Fatalf("ValueFromReader(%q): %v", text, err)
		}
		got, err := decodeAST([]byte(text))
		if err != nil {
			t.Errorf("decodeAST(%q): %v", text, err)
			continue
		}
		if d := valueDiff("value", want, got); d != "" {
			t.Errorf("decodeAST(%q): %s", text, d)
		}
	}
	for _, text := range decodeASTErrors {
		if v, err := decodeAST([]byte(text)); err == nil {
			t.Errorf("decodeAST(%q) = %v, want an error", text, v)
		}
	}
}

func FuzzDecodeAST(f *testing.F) {
	for _, text := range append(decodeASTCases, decodeASTErrors...) {
		f.Add([]byte(text))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeAST(b)
		if !json.Valid(b) {
			if err == nil {
				t.Fatalf("decodeAST(%q) = %v, want an error", b, got)
			}
			return
		}
		want, werr := ast.ValueFromReader(bytes.NewReader(b))
		if werr != nil {
			return // valid JSON OPA rejects (a number too large)
		}
		if err != nil {
			t.Fatalf("decodeAST(%q): %v", b, err)
		}
		if d := valueDiff("value", want, got); d != "" {
			t.Fatalf("decodeAST(%q): %s", b, d)
		}
	})
}

// BenchmarkInputValue measures making every environment's input of a
// generated platform with its rendered objects: as the JSON of the whole
// document read by ast.ValueFromReader, and as lint does.
func BenchmarkInputValue(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	if err := testgen.Write(dir, testgen.Options{Services: 200, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	b.Chdir(dir)
	m := load(b, ".")
	envs := m.EnvironmentNames()
	objects, err := targets.Render(ctx, m, envs, targets.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var resolved []*schema.Resolved
	for _, env := range envs {
		r, err := m.Resolve(env)
		if err != nil {
			b.Fatal(err)
		}
		resolved = append(resolved, r)
	}
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			for _, r := range resolved {
				referenceInput(b, r, objects)
			}
		}
	})
	b.Run("converted", func(b *testing.B) {
		for b.Loop() {
			converted, err := convertObjects(ctx, objects, envs, 1)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range resolved {
				if _, err := converted.inputValue(r, fixedNow); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
