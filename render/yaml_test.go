package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// meshObjects is a small realistic output: two Istio objects from different
// spec files sharing one file, a Kratos bootstrap and a raw Nacos entry.
func meshObjects() []Object {
	vs := map[string]any{
		"apiVersion": "networking.istio.io/v1",
		"kind":       "VirtualService",
		"metadata": map[string]any{
			"name": "orders", "namespace": "shop-prod",
			"labels": map[string]any{"app": "orders", "version": "1.0"},
		},
		"spec": map[string]any{
			"hosts": []any{"orders"},
			"http": []any{map[string]any{
				"match": []any{map[string]any{"headers": map[string]any{"x-canary": map[string]any{"exact": "true"}}}},
				"route": []any{
					map[string]any{"destination": map[string]any{"host": "orders", "subset": "canary"}, "weight": 30},
					map[string]any{"destination": map[string]any{"host": "orders", "subset": "stable"}, "weight": 70},
				},
				"timeout": "1s",
				"retries": map[string]any{"attempts": 2, "perTryTimeout": "300ms"},
			}},
		},
		"status": map[string]any{},
	}
	dr := map[string]any{
		"apiVersion": "networking.istio.io/v1",
		"kind":       "DestinationRule",
		"metadata":   map[string]any{"name": "orders", "namespace": "shop-prod"},
		"spec": map[string]any{
			"host": "orders",
			"trafficPolicy": map[string]any{
				"outlierDetection": map[string]any{"consecutive5xxErrors": 5, "interval": "60s", "baseEjectionTime": "5s"},
				"connectionPool":   map[string]any{"http": map[string]any{"http1MaxPendingRequests": 100}},
			},
		},
	}
	bootstrap := map[string]any{
		"server": map[string]any{
			"http": map[string]any{"addr": "0.0.0.0:8000", "timeout": "1s"},
			"grpc": map[string]any{"addr": "0.0.0.0:9000", "timeout": "1s"},
		},
		"trace":      map[string]any{"endpoint": "otel-collector:4317", "sampling": 0.1},
		"middleware": []any{"recovery", "tracing", "logging", "metrics", "auth"},
	}
	return []Object{
		{Target: TargetIstio, Env: "prod", Service: "orders", Path: "istio/prod/orders.yaml", Source: "services/orders.cue",
			ID: Identity{APIVersion: "networking.istio.io/v1", Kind: "VirtualService", Namespace: "shop-prod", Name: "orders"}, Value: vs},
		{Target: TargetIstio, Env: "prod", Service: "orders", Path: "istio/prod/orders.yaml", Source: "environments/prod.cue",
			ID: Identity{APIVersion: "networking.istio.io/v1", Kind: "DestinationRule", Namespace: "shop-prod", Name: "orders"}, Value: dr},
		{Target: TargetKratos, Env: "prod", Service: "orders", Path: "kratos/prod/orders/config.yaml", Source: "services/orders.cue",
			ID: Identity{Kind: "Bootstrap", Name: "orders"}, Value: bootstrap},
		{Target: TargetNacos, Env: "prod", Service: "orders", Path: "nacos/shop-prod/DEFAULT_GROUP/orders.yaml", Source: "services/orders.cue",
			ID: Identity{Kind: "ConfigEntry", Namespace: "shop-prod", Name: "DEFAULT_GROUP/orders.yaml"}, Raw: []byte("db:\n    maxOpen: 50\n")},
	}
}

// scalarObjects exercises quoting and block styles.
func scalarObjects() []Object {
	return []Object{{Target: TargetKratos, Env: "dev", Path: "scalars.yaml", Source: "services/scalars.cue", Value: map[string]any{
		"bools":     []any{"yes", "no", "on", "off", "y", "n", "true", "False", "ok"},
		"numbers":   []any{"1.0", "0755", "0o17", "0x1F", "1_000", "1e3", "1:20", "1.2.3", ".5", "-1", "+.inf", ".nan"},
		"dates":     []any{"2024-01-31", "2024-01-31T10:00:00Z"},
		"nulls":     []any{"", "~", "null", "NULL"},
		"plain":     []any{"10s", "v1.4.2", "orders", "hello world", "0.0.0.0:8000"},
		"syntax":    []any{"a: b", "#comment", "*alias", "- item", " padded ", "<<"},
		"multiline": "first line\nsecond line\n",
		"numeric":   map[string]any{"int": 8000, "float": 0.005, "tiny": 1e-7, "huge": int64(1) << 60},
		"flags":     map[string]any{"on": true, "off": false},
	}}}
}

func TestGoldenOutput(t *testing.T) {
	tests := []struct {
		name string
		objs []Object
	}{
		{"mesh", meshObjects()},
		{"scalars", scalarObjects()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			if _, err := Write(t.Context(), out, tt.objs, WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", tt.name)
			if *update {
				if err := os.RemoveAll(golden); err != nil {
					t.Fatal(err)
				}
				if err := os.CopyFS(golden, os.DirFS(out)); err != nil {
					t.Fatal(err)
				}
			}
			got, want := readTree(t, out), readTree(t, golden)
			for p, data := range want {
				if got[p] != data {
					t.Errorf("%s differs from golden (run go test ./render -update to accept):\n--- got\n%s\n--- want\n%s", p, got[p], data)
				}
			}
			for p := range got {
				if _, ok := want[p]; !ok {
					t.Errorf("unexpected output file %s", p)
				}
			}
		})
	}
}

func TestEncodeIsByteIdenticalAcrossRuns(t *testing.T) {
	first, err := EncodeObjects(meshObjects())
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := EncodeObjects(meshObjects())
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != len(first) {
			t.Fatalf("got %d files, then %d", len(first), len(again))
		}
		for i := range first {
			if !bytes.Equal(first[i].Data, again[i].Data) {
				t.Fatalf("%s differs between runs:\n%s\n---\n%s", first[i].Path, first[i].Data, again[i].Data)
			}
		}
	}
}

func TestMapKeysAreSorted(t *testing.T) {
	value := map[string]any{"zeta": 1, "alpha": map[string]any{"b": 1, "a": 2, "B": 3}, "kind": "X", "apiVersion": "v1", "metadata": 4}
	got, err := MarshalYAML(value)
	if err != nil {
		t.Fatal(err)
	}
	want := "alpha:\n  B: 3\n  a: 2\n  b: 1\napiVersion: v1\nkind: X\nmetadata: 4\nzeta: 1\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// spec is a typed value whose fields are declared out of alphabetical order.
type spec struct {
	Timeout  string `json:"timeout"`
	Attempts int    `json:"attempts,omitempty"`
	Hosts    []string
	Omitted  *int `json:"omitted"`
}

func TestStructsAreWrittenThroughTheirJSONForm(t *testing.T) {
	got, err := MarshalYAML(spec{Timeout: "1s", Hosts: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	// Sorted keys despite field order; omitempty honoured; null dropped.
	want := "Hosts:\n  - a\ntimeout: 1s\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// pointerMarshaler declares MarshalJSON on its pointer, as istio.io/api
// types do.
type pointerMarshaler struct{ Mode int }

func (p *pointerMarshaler) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"mode": []string{"DISABLE", "STRICT"}[p.Mode]})
}

type wrapper struct {
	Spec pointerMarshaler `json:"spec"`
}

func TestPointerReceiverMarshalJSONIsUsedForValues(t *testing.T) {
	for _, v := range []any{wrapper{Spec: pointerMarshaler{Mode: 1}}, &wrapper{Spec: pointerMarshaler{Mode: 1}}} {
		got, err := MarshalYAML(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := "spec:\n  mode: STRICT\n"; string(got) != want {
			t.Errorf("%T: got\n%s\nwant\n%s", v, got, want)
		}
	}
}

func TestProtobufMessagesUseProtoJSON(t *testing.T) {
	// encoding/json would write {nanos: 500000000, seconds: 1}.
	value := map[string]any{"timeout": durationpb.New(1500 * time.Millisecond)}
	got, err := MarshalYAML(value)
	if err != nil {
		t.Fatal(err)
	}
	if want := "timeout: 1.500s\n"; string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestEmptyStatusOfAPIObjectsIsDropped(t *testing.T) {
	tests := []struct {
		name  string
		value map[string]any
		want  string
	}{
		{"api object", map[string]any{"apiVersion": "v1", "kind": "K", "status": map[string]any{}}, "apiVersion: v1\nkind: K\n"},
		{"status with content", map[string]any{"apiVersion": "v1", "kind": "K", "status": map[string]any{"a": 1}}, "apiVersion: v1\nkind: K\nstatus:\n  a: 1\n"},
		{"not an api object", map[string]any{"status": map[string]any{}}, "status: {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MarshalYAML(tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestAmbiguousStringsStayStrings(t *testing.T) {
	tests := []struct {
		in     string
		quoted bool
	}{
		{"yes", true}, {"No", true}, {"on", true}, {"OFF", true}, {"y", true}, {"n", true},
		{"true", true}, {"False", true}, {"null", true}, {"~", true}, {"", true}, {"<<", true},
		{"1.0", true}, {"0755", true}, {"0o755", true}, {"0x1F", true}, {"0b101", true},
		{"1_000", true}, {"1e3", true}, {"-1", true}, {"+12", true}, {".5", true}, {"1:20", true},
		{"1.2.3", true}, {".inf", true}, {"-.Inf", true}, {".NaN", true},
		{"2024-01-31", true}, {"2024-1-5", true}, {"2001-12-14t21:59:43.10-05:00", true}, {"2001-12-14 21:59:43.10 -5", true},
		{"10s", false}, {"800ms", false}, {"v1.4.2", false}, {"orders", false}, {"yesterday", false},
		{"STRICT", false}, {"0.0.0.0:8000", false}, {"x-canary", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			out, err := MarshalYAML(map[string]any{"k": tt.in})
			if err != nil {
				t.Fatal(err)
			}
			var back map[string]any
			if err := yaml.Unmarshal(out, &back); err != nil {
				t.Fatalf("output does not parse: %v\n%s", err, out)
			}
			if s, ok := back["k"].(string); !ok || s != tt.in {
				t.Errorf("%q read back as %#v (%T) from\n%s", tt.in, back["k"], back["k"], out)
			}
			// yaml.v3 itself reads "yes" and "1:20" as strings; YAML 1.1
			// readers (Kubernetes tooling) do not, so look at the bytes.
			quoted := strings.HasPrefix(string(out), `k: "`) || strings.HasPrefix(string(out), `k: '`)
			if quoted != tt.quoted {
				t.Errorf("%q: quoted = %v, want %v:\n%s", tt.in, quoted, tt.quoted, out)
			}
		})
	}
}

func TestNumbersReadBackAsNumbers(t *testing.T) {
	tests := []struct {
		value any
		want  string
	}{
		{8000, "8000"},
		{0.005, "0.005"},
		{1e-7, "1.0e-7"},
		{1e21, "1.0e+21"},
		{int64(1) << 60, "1152921504606846976"},
		{json.Number("2.5E3"), "2.5e+3"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			out, err := MarshalYAML(map[string]any{"value": tt.value})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(strings.TrimPrefix(string(out), "value:")); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			var node yaml.Node
			if err := yaml.Unmarshal(out, &node); err != nil {
				t.Fatal(err)
			}
			if tag := node.Content[0].Content[1].Tag; tag != "!!int" && tag != "!!float" {
				t.Errorf("%s read back with tag %s", tt.want, tag)
			}
		})
	}
}

func TestMultiLineStringsAreLiteralBlocks(t *testing.T) {
	got, err := MarshalYAML(map[string]any{"script": "make smoke\nmake verify\n", "trimmed": "a\nb"})
	if err != nil {
		t.Fatal(err)
	}
	want := "script: |\n  make smoke\n  make verify\ntrimmed: |-\n  a\n  b\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestHeaderNamesSortedSources(t *testing.T) {
	tests := []struct {
		name    string
		sources []string
		want    string
	}{
		{"one source", []string{"services/orders.cue"}, "# Code generated by govctl from services/orders.cue. DO NOT EDIT.\n"},
		{"several, sorted and deduplicated", []string{"services/orders.cue", "environments/prod.cue", "services/orders.cue"},
			"# Code generated by govctl from environments/prod.cue, services/orders.cue. DO NOT EDIT.\n"},
		{"no source", []string{""}, "# Code generated by govctl. DO NOT EDIT.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var objs []Object
			for i, s := range tt.sources {
				objs = append(objs, Object{Target: TargetIstio, Path: "a.yaml", Source: s, Value: map[string]any{"i": i}})
			}
			files, err := EncodeObjects(objs)
			if err != nil {
				t.Fatal(err)
			}
			header, _, _ := strings.Cut(string(files[0].Data), "\n")
			if header+"\n" != tt.want {
				t.Errorf("header %q, want %q", header, tt.want)
			}
			if n := strings.Count(string(files[0].Data), "\n---\n"); n != len(tt.sources)-1 {
				t.Errorf("%d document separators for %d objects:\n%s", n, len(tt.sources), files[0].Data)
			}
		})
	}
}

func TestRawObjectsAreWrittenAsIs(t *testing.T) {
	raw := []byte("# not a header\x00\xff binary\r\n")
	files, err := EncodeObjects([]Object{{Target: TargetNacos, Path: "bundle.zip", Source: "a.cue", Raw: raw}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(files[0].Data, raw) || !files[0].Raw {
		t.Errorf("got %q (raw %v), want %q", files[0].Data, files[0].Raw, raw)
	}
}

func TestEncodeRejects(t *testing.T) {
	val := map[string]any{"a": 1}
	tests := []struct {
		name string
		objs []Object
		want string
	}{
		{"raw and value on one path", []Object{
			{Target: TargetNacos, Path: "a.yaml", Value: val},
			{Target: TargetNacos, Path: "a.yaml", Raw: []byte("x")},
		}, "one is raw content"},
		{"two raw objects on one path", []Object{
			{Target: TargetNacos, Path: "a.zip", Raw: []byte("x")},
			{Target: TargetNacos, Path: "a.zip", Raw: []byte("y")},
		}, "raw content cannot be combined"},
		{"two targets on one path", []Object{
			{Target: TargetIstio, Path: "a.yaml", Value: val},
			{Target: TargetKratos, Path: "a.yaml", Value: val},
		}, "belongs to target"},
		{"two envs on one path", []Object{
			{Target: TargetIstio, Env: "dev", Path: "a.yaml", Value: val},
			{Target: TargetIstio, Env: "prod", Path: "a.yaml", Value: val},
		}, "belongs to target"},
		{"path is another path's directory", []Object{
			{Target: TargetIstio, Path: "a", Value: val},
			{Target: TargetIstio, Path: "a/b.yaml", Value: val},
		}, "needs it to be a directory"},
		{"no target", []Object{{Path: "a.yaml", Value: val}}, "no target"},
		{"no content", []Object{{Target: TargetIstio, Path: "a.yaml"}}, "no content"},
		{"typed nil content", []Object{{Target: TargetIstio, Path: "a.yaml", Value: (*spec)(nil)}}, "no content"},
		{"source with a line break", []Object{{Target: TargetIstio, Path: "a.yaml", Source: "a.cue\nrm -rf", Value: val}}, "line break"},
		{"manifest path", []Object{{Target: TargetIstio, Path: ManifestName, Value: val}}, "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EncodeObjects(tt.objs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// readTree returns every regular file under dir by slash path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

// encodeNode writes a node as EncodeObjects does, or "<nil>" for none.
func encodeNode(t testing.TB, n *yaml.Node) string {
	t.Helper()
	if n == nil {
		return "<nil>"
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// genericTreeYAML is what a typed value's JSON form used to be written as,
// through the generic tree: the reference jsonNode must match.
func genericTreeYAML(t testing.TB, data []byte) (string, error) {
	t.Helper()
	generic, err := decodeGeneric(data)
	if err != nil {
		return "", err
	}
	if generic == nil {
		return "<nil>", nil
	}
	n, err := genericNode(DropEmptyStatus(generic))
	if err != nil {
		t.Fatal(err)
	}
	return encodeNode(t, n), nil
}

var jsonNodeCases = []string{
	`{"b":1,"a":{"y":[1,2.5,-3e-7,1E+2,null,"x"],"x":{}},"B":[]}`,
	`{"apiVersion":"v1","kind":"X","metadata":{"name":"n","creationTimestamp":null},"spec":{},"status":{}}`,
	`{"apiVersion":"v1","kind":"X","status":{"a":null}}`,
	`{"apiVersion":"v1","kind":"X","status":{"a":1}}`,
	`{"apiVersion":null,"kind":"X","status":{}}`,
	`{"kind":"X","status":{}}`,
	`{"a":1,"a":2}`,
	`{"a":1,"a":null}`,
	`{"a":null,"a":1,"b":2,"a":3}`,
	`{"s":"tab\tnew\nline \"q\" \\ \u00e9 \ud83d\ude00 \ud800 lone","t":"yes","u":"0755","v":"","w":"é"}`,
	`{"\u0061":"key escaped","":"empty key","multi\nline":"k"}`,
	"{\"bad\":\"\xff\xfe\",\"ok\":\"\xc3\xa9\"}",
	` { "spaced" : [ 1 , true , false , null ] } `,
	`[{"a":null},null,"x"]`,
	`"top-level string"`,
	`12345678901234567890123`,
	`true`,
	`null`,
}

func TestJSONNodeMatchesTheGenericTree(t *testing.T) {
	for _, data := range jsonNodeCases {
		want, err := genericTreeYAML(t, []byte(data))
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		n, ok := jsonNode([]byte(data))
		if !ok {
			t.Errorf("jsonNode(%s) did not take it apart", data)
			continue
		}
		if got := encodeNode(t, n); got != want {
			t.Errorf("jsonNode(%s):\n got %q\nwant %q", data, got, want)
		}
	}
}

func TestJSONNodeLeavesInvalidJSONToTheSlowPath(t *testing.T) {
	for _, data := range []string{``, `{`, `{"a":}`, `{"a" 1}`, `{"a":1,}`, `[1,]`, `[1 2]`, `01`, `1.`, `-`, `tru`, `nul`, `"open`, "\"ctl\x01\"", `{} {}`, `1 2`, `{"a":1}x`} {
		if _, ok := jsonNode([]byte(data)); ok {
			t.Errorf("jsonNode(%q) accepted invalid JSON", data)
		}
	}
}

func FuzzJSONNode(f *testing.F) {
	for _, data := range jsonNodeCases {
		f.Add([]byte(data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, ok := jsonNode(data)
		want, err := genericTreeYAML(t, data)
		if !ok {
			if json.Valid(data) {
				t.Fatalf("jsonNode(%q) did not take apart valid JSON", data)
			}
			return
		}
		if err != nil {
			t.Fatalf("jsonNode(%q) took apart JSON that decodeGeneric rejects: %v", data, err)
		}
		if got := encodeNode(t, n); got != want {
			t.Fatalf("jsonNode(%q):\n got %q\nwant %q", data, got, want)
		}
	})
}

func TestNormalizeOfScalarsMatchesTheirJSONForm(t *testing.T) {
	values := []any{
		"plain", "", "é", "\xff invalid", "a\xc3", true, false,
		0, -1, 1 << 62, int64(-1 << 63), uint64(1<<64 - 1),
		json.Number("12"), json.Number("-0.5e10"), json.Number(""), json.Number("01"), json.Number("1 "), json.Number("x"),
	}
	for _, v := range values {
		got, gotErr := Normalize(v)
		var want any
		data, wantErr := json.Marshal(v)
		if wantErr == nil {
			want, wantErr = decodeGeneric(data)
		}
		if (gotErr != nil) != (wantErr != nil) || got != want {
			t.Errorf("Normalize(%#v) = %#v, %v; JSON form %#v, %v", v, got, gotErr, want, wantErr)
		}
	}
}
