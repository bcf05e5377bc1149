package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// renderInto writes the test rendering of m into dir, as `govctl render
// --out dir` does.
func renderInto(t *testing.T, m *schema.Model, dir string) {
	t.Helper()
	objs, err := testRender(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := render.Write(context.Background(), dir, objs, render.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}

func planAgainstDir(t *testing.T, m *schema.Model, dir string) (*Plan, error) {
	t.Helper()
	return Compute(context.Background(), Options{Model: m, Render: testRender, Baseline: NewDirBaseline(dir)})
}

func TestDirBaselineOfFreshOutputHasNoChanges(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	out := t.TempDir()
	renderInto(t, m, out)
	p, err := planAgainstDir(t, m, out)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() {
		t.Errorf("plan against freshly rendered output has changes:\n%s", report(t, &TextReporter{}, p))
	}
}

func TestDirBaselineShowsChangesDeletionsAndHandEdits(t *testing.T) {
	specs := t.TempDir()
	copyShop(t, specs)
	write := func(rel, content string) {
		if err := os.WriteFile(filepath.Join(specs, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("services/search.cue", searchService)
	out := t.TempDir()
	renderInto(t, loadModel(t, specs), out)

	// The spec drops search and changes orders' prod config; someone edited
	// the dev VirtualService of users on disk.
	if err := os.Remove(filepath.Join(specs, "services/search.cue")); err != nil {
		t.Fatal(err)
	}
	orders, err := os.ReadFile(filepath.Join(specs, "services/orders.cue"))
	if err != nil {
		t.Fatal(err)
	}
	write("services/orders.cue", strings.Replace(string(orders), "config: data: db: maxOpen: 200}", "config: data: db: maxOpen: 100}", 1))
	vs := filepath.Join(out, "dev/istio/users.yaml")
	data, err := os.ReadFile(vs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vs, []byte(strings.Replace(string(data), "timeout: 180ms", "timeout: 5s", 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	p, err := planAgainstDir(t, loadModel(t, specs), out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Action{}
	for _, ch := range p.Objects {
		got[ch.Env+" "+ch.Name] = ch.Action
	}
	want := map[string]Action{
		"dev VirtualService shop-dev/users":              ActionUpdate,
		"prod shop-prod/DEFAULT_GROUP/orders.yaml":       ActionUpdate,
		"prod prod/services/orders.yaml":                 ActionUpdate,
		"dev VirtualService shop-dev/search":             ActionDelete,
		"dev dev/services/search.yaml":                   ActionDelete,
		"dev shop-dev/DEFAULT_GROUP/search.yaml":         ActionDelete,
		"staging VirtualService shop-staging/search":     ActionDelete,
		"staging staging/services/search.yaml":           ActionDelete,
		"staging shop-staging/DEFAULT_GROUP/search.yaml": ActionDelete,
		"prod VirtualService shop-prod/search":           ActionDelete,
		"prod prod/services/search.yaml":                 ActionDelete,
		"prod shop-prod/DEFAULT_GROUP/search.yaml":       ActionDelete,
	}
	for k, a := range want {
		if got[k] != a {
			t.Errorf("%s: got %q, want %q", k, got[k], a)
		}
	}
	for k, a := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected change %s: %s", k, a)
		}
	}
	for _, ch := range p.Objects {
		switch ch.Name {
		case "VirtualService shop-dev/users":
			if len(ch.Fields) != 1 || fieldLine(ch.Fields[0]) != `~ spec.http[0].timeout: "5s" → "180ms"` {
				t.Errorf("hand edit: got %v", ch.Fields)
			}
		case "shop-prod/DEFAULT_GROUP/orders.yaml":
			if len(ch.Fields) != 1 || fieldLine(ch.Fields[0]) != "~ db.maxOpen: 200 → 100" || riskOf(ch) != RiskMedium {
				t.Errorf("nacos content: got %v risk %s", ch.Fields, riskOf(ch))
			}
		}
	}
}

func TestDirBaselineEmptyDirectoryPlansEverythingAsCreated(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	p, err := planAgainstDir(t, m, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := p.Summary()
	if c.Add == 0 || c.Change != 0 || c.Destroy != 0 {
		t.Errorf("got %+v, want only creates", c)
	}
}

func TestDirBaselineErrors(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	unowned := t.TempDir()
	if err := os.WriteFile(filepath.Join(unowned, "vs.yaml"), []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	corrupt := t.TempDir()
	if err := os.WriteFile(filepath.Join(corrupt, render.ManifestName), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
	}{
		{"MissingDirectory", filepath.Join(t.TempDir(), "deploy"), "does not exist"},
		{"FilesWithoutManifest", unowned, "has no .govctl-manifest.json"},
		{"CorruptManifest", corrupt, "is corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planAgainstDir(t, m, tt.dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestScopeLimitsBothSides(t *testing.T) {
	m := loadModel(t, "../examples/shop")
	p, err := Compute(context.Background(), Options{
		Model: m, Render: testRender, Baseline: NewDirBaseline(t.TempDir()),
		Scope: render.Scope{Targets: []render.Target{render.TargetIstio}, Envs: []string{"prod"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range p.Objects {
		if ch.Target != render.TargetIstio || ch.Env != "prod" {
			t.Errorf("change outside the scope: %s %s %s", ch.Target, ch.Env, ch.Name)
		}
	}
	if !p.HasChanges() {
		t.Error("no changes in scope")
	}
}

// TestUnchangedContentEncodesTheSame holds the shortcut that spares a
// directory's unchanged documents their encoding to what encoding them
// gives: a document taken as the desired object's content encodes to the
// desired object's bytes. Documents that do not (hand edits, values the
// YAML round trip changes) are left to be encoded.
func TestUnchangedContentEncodesTheSame(t *testing.T) {
	object := map[string]any{
		"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
		"metadata": map[string]any{"name": "orders", "namespace": "shop-prod"},
		"spec":     map[string]any{"hosts": []any{"orders"}, "weight": 100, "timeout": "1s"},
		"status":   map[string]any{},
	}
	tests := []struct {
		name  string
		value any
		// doc is the document on disk; "" is the value as render writes it.
		doc  string
		want bool
	}{
		{"AsWritten", object, "", true},
		{"TypedValue", struct {
			Enabled bool           `json:"enabled"`
			Params  map[string]any `json:"params"`
		}{true, map[string]any{"max": 5}}, "", true},
		{"NullsOnDisk", map[string]any{"on": map[string]any{"push": map[string]any{"branches": []any{"main"}}, "workflow_dispatch": nil}},
			"on:\n  push:\n    branches: [main]\n  workflow_dispatch:\n", true},
		{"EmptyStatusOnDisk", object, "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: orders, namespace: shop-prod}\nspec: {hosts: [orders], timeout: 1s, weight: 100}\nstatus: {}\n", true},
		{"EditedOnDisk", object, "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: orders, namespace: shop-prod}\nspec: {hosts: [orders], timeout: 5s, weight: 100}\n", false},
		// Leading line breaks are written double-quoted (a literal block
		// would lose one), so the value reads back as itself.
		{"LeadingBlankLines", map[string]any{"script": "\n\nx"}, "", true},
		// A document on disk whose value is not the desired one, written as
		// a block that lost the first line break, is not unchanged.
		{"LeadingBlankLinesLostOnDisk", map[string]any{"script": "\n\nx"}, "script: |2-\n\n  x\n", false},
		// Another number form reads back the same; the shortcut is not
		// taken, and encoding the document finds it unchanged.
		{"NumberForm", map[string]any{"ratio": json.Number("0.50")}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := render.Object{Target: render.TargetKratos, Path: "x.yaml", Value: tt.value}
			c := encodeContent(want)
			if _, err := c.readTree(); err != nil {
				t.Fatal(err)
			}
			text := []byte(tt.doc)
			if tt.doc == "" {
				text = c.data
			}
			docs, err := parseYAMLDocuments(text)
			if err != nil || len(docs) != 1 {
				t.Fatalf("read %q: %d documents, %v", text, len(docs), err)
			}
			got := (&wantedObject{obj: want, content: &c}).unchangedContent(docs[0])
			if (got != nil) != tt.want {
				t.Fatalf("shortcut taken: %v, want %v", got != nil, tt.want)
			}
			if got == nil {
				return
			}
			encoded, err := render.MarshalYAML(docs[0])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(encoded, got.data) {
				t.Errorf("the document encodes to\n%s\nthe desired object to\n%s", encoded, got.data)
			}
		})
	}
}

// contentHidingBaseline hides that a baseline implements contentBaseline,
// so that Compute encodes every object it returns.
type contentHidingBaseline struct{ Baseline }

// TestDirBaselinePlansAsIfEveryDocumentWereEncoded plans against a
// directory with hand edits, documents the YAML round trip changes and
// unchanged documents, and compares the reports with those of a plan that
// encodes and reads back every document read from the directory.
func TestDirBaselinePlansAsIfEveryDocumentWereEncoded(t *testing.T) {
	specs := t.TempDir()
	copyShop(t, specs)
	withTricky := func(ctx context.Context, m *schema.Model) ([]render.Object, error) {
		objs, err := testRender(ctx, m)
		return append(objs, render.Object{
			Target: render.TargetKratos, Env: "dev", Path: "dev/extra.yaml",
			Value: map[string]any{
				"script": "\n\nleading blank lines",
				"ratio":  json.Number("0.50"),
				"unset":  nil,
				"list":   []any{"a", nil, map[string]any{"k": "v"}},
			},
		}), err
	}
	m := loadModel(t, specs)
	objs, err := withTricky(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := render.Write(context.Background(), out, objs, render.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	edit := func(rel, old, new string) {
		t.Helper()
		path := filepath.Join(out, filepath.FromSlash(rel))
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), old) {
			t.Fatalf("%s does not contain %q", rel, old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("dev/istio/users.yaml", "timeout: 180ms", "timeout: 5s")
	edit("prod/istio/orders.yaml", "kind: VirtualService\n", "kind: VirtualService\nstatus: {}\n")
	edit("staging/istio/orders.yaml", "kind: VirtualService\n", "kind: VirtualService\nstatus: {phase: live}\n")
	edit("prod/services/orders.yaml", "\n", "\nhandAdded: null\n")

	plan := func(b Baseline) *Plan {
		t.Helper()
		p, err := Compute(context.Background(), Options{Model: m, Render: withTricky, Baseline: b})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	got := plan(NewDirBaseline(out))
	want := plan(contentHidingBaseline{NewDirBaseline(out)})
	if !got.HasChanges() {
		t.Fatal("no changes: the edits are not planned")
	}
	for _, r := range []Reporter{&TextReporter{}, &JSONReporter{}} {
		if g, w := report(t, r, got), report(t, r, want); !bytes.Equal(g, w) {
			t.Errorf("%T:\n--- got\n%s\n--- want\n%s", r, g, w)
		}
	}
}

func TestFileOfTheDesiredBytesIsReadWithoutParsing(t *testing.T) {
	objs := []render.Object{
		{Target: render.TargetIstio, Env: "prod", Path: "prod/istio/orders.yaml", Source: "services/orders.cue",
			Value: map[string]any{"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": map[string]any{"name": "orders", "namespace": "shop-prod"}, "spec": map[string]any{"timeout": "1s"}}},
		{Target: render.TargetIstio, Env: "prod", Path: "prod/istio/orders.yaml", Source: "services/orders.cue",
			Value: map[string]any{"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": map[string]any{"name": "orders", "namespace": "shop-prod"}, "spec": map[string]any{"host": "orders"}}},
	}
	files, err := render.EncodeObjects(objs)
	if err != nil || len(files) != 1 {
		t.Fatalf("encode: %v, %d files", err, len(files))
	}
	want := make([]*wantedObject, len(objs))
	for i, o := range objs {
		c := encodeContent(o)
		if _, err := c.readTree(); err != nil {
			t.Fatal(err)
		}
		want[i] = &wantedObject{obj: o, content: &c}
	}
	base := render.Object{Target: render.TargetIstio, Env: "prod", Path: "prod/istio/orders.yaml"}
	data := files[0].Data
	for name, tt := range map[string]struct {
		data []byte
		fast bool
	}{
		"as written":          {data, true},
		"other sources named": {bytes.Replace(data, []byte("services/orders.cue"), []byte("services/other.cue"), 1), true},
		"a value edited":      {bytes.Replace(data, []byte("timeout: 1s"), []byte("timeout: 2s"), 1), false},
		"a document dropped":  {data[:bytes.Index(data, []byte("---\n"))], false},
		"a document added":    {append(bytes.Clone(data), "---\nkind: Extra\n"...), false},
		// Without the header, the first line is content: a field added
		// in its place must be read.
		"header replaced by a field": {append([]byte("extra: 1\n"), data[bytes.IndexByte(data, '\n')+1:]...), false},
	} {
		t.Run(name, func(t *testing.T) {
			got, contents, ok := unchangedFile(base, tt.data, want)
			if ok != tt.fast {
				t.Fatalf("read without parsing: %v, want %v", ok, tt.fast)
			}
			if !ok {
				return
			}
			// What the parse would have given, with identities taken from
			// the documents.
			parsed, _, err := fileObjects(render.ManifestFile{Path: base.Path, Target: base.Target, Env: base.Env}, tt.data, nil)
			if err != nil || len(parsed) != len(got) {
				t.Fatalf("parsing gives %d objects, %v; want %d", len(parsed), err, len(got))
			}
			for i := range got {
				if !equalTrees(got[i].Value, parsed[i].Value) || got[i].ID != parsed[i].ID {
					t.Errorf("object %d: %v %v, parsing gives %v %v", i, got[i].ID, got[i].Value, parsed[i].ID, parsed[i].Value)
				}
				if !contents[i].sameAs(want[i].content) {
					t.Errorf("object %d: content differs from the desired one", i)
				}
			}
		})
	}
}
