package nacos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/testutil"

	"github.com/google/go-cmp/cmp"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/render")

const (
	// goldenDir holds the files rendered for examples/shop, as govctl
	// writes them.
	goldenDir = "testdata/render"
)

func loadShop(t *testing.T) *schema.Model { return testutil.LoadShop(t) }

// loadSpec writes a spec directory from files and loads it.
func loadSpec(t *testing.T, files map[string]string) *schema.Model {
	return testutil.LoadSpec(t, files)
}

// nacosPlatform is a platform with one environment and Nacos as its config
// centre; tests add services.
const nacosPlatform = `package platform

platform: {
	name: "mini"
	registry: {kind: "kubernetes"}
	configCenter: {kind: "nacos", address: "nacos:8848", group: "MINI_GROUP"}
}
environments: dev: {tier: "dev", namespace: "mini-dev"}
`

// miniSpec is nacosPlatform with services.cue holding services.
func miniSpec(t *testing.T, services string) *schema.Model {
	t.Helper()
	return loadSpec(t, map[string]string{
		"platform.cue": nacosPlatform,
		"services.cue": "package platform\n\n" + services,
	})
}

func renderAll(t *testing.T, m *schema.Model, envs ...string) []render.Object {
	t.Helper()
	if len(envs) == 0 {
		envs = m.EnvironmentNames()
	}
	objs, err := Renderer{}.Render(context.Background(), m, envs)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return objs
}

// objectAt returns the object rendered at path.
func objectAt(t *testing.T, objs []render.Object, path string) render.Object {
	t.Helper()
	for _, o := range objs {
		if o.Path == path {
			return o
		}
	}
	var paths []string
	for _, o := range objs {
		paths = append(paths, o.Path)
	}
	t.Fatalf("nothing rendered at %s; rendered:\n%s", path, strings.Join(paths, "\n"))
	return render.Object{}
}

func TestShopGoldenFiles(t *testing.T) {
	objs := renderAll(t, loadShop(t))
	files, err := render.EncodeObjects(objs)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	for _, f := range files {
		if !f.Raw {
			t.Errorf("%s: not written as raw bytes", f.Path)
		}
	}
	testutil.GoldenFiles(t, goldenDir, files, *update)
}

func TestEnvironmentOverlaysMergeIntoTheBaseConfig(t *testing.T) {
	objs := renderAll(t, loadShop(t))
	cases := map[string]string{
		"dev/nacos/shop-dev/DEFAULT_GROUP/orders.yaml":         "checkout:\n  holdMinutes: 15\ndb:\n  maxIdle: 10\n  maxOpen: 5\n",
		"staging/nacos/shop-staging/DEFAULT_GROUP/orders.yaml": "checkout:\n  holdMinutes: 15\ndb:\n  maxIdle: 10\n  maxOpen: 50\n",
		"prod/nacos/shop-prod/DEFAULT_GROUP/orders.yaml":       "checkout:\n  holdMinutes: 15\ndb:\n  maxIdle: 10\n  maxOpen: 200\n",
	}
	for path, want := range cases {
		if got := string(objectAt(t, objs, path).Raw); got != want {
			t.Errorf("%s:\n%s\nwant:\n%s", path, got, want)
		}
	}
}

func TestShopEntriesHaveTheDeclaredFormats(t *testing.T) {
	objs := renderAll(t, loadShop(t), "staging")
	cases := []struct{ path, want string }{
		{"staging/nacos/shop-staging/DEFAULT_GROUP/payments.properties",
			"provider.endpoint=https\\://api.stripe.com\nprovider.name=stripe\n"},
		{"staging/nacos/shop-staging/DEFAULT_GROUP/users.json",
			"{\n  \"passwordPolicy\": {\n    \"minLength\": 12\n  },\n  \"session\": {\n    \"ttlMinutes\": 30\n  }\n}\n"},
		{"staging/nacos/shop-staging/DEFAULT_GROUP/inventory.yaml",
			"reservation:\n  ttl: 10m\nwarehouse:\n  regions:\n    - eu-west-1\n    - us-east-1\n"},
	}
	for _, c := range cases {
		if got := string(objectAt(t, objs, c.path).Raw); got != c.want {
			t.Errorf("%s:\n%s\nwant:\n%s", c.path, got, c.want)
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	encode := func() []render.File {
		files, err := render.EncodeObjects(renderAll(t, loadShop(t)))
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	first := encode()
	for i := 0; i < 3; i++ {
		again := encode()
		if len(again) != len(first) {
			t.Fatalf("run %d: %d files, first run %d", i, len(again), len(first))
		}
		for j := range first {
			if again[j].Path != first[j].Path || !bytes.Equal(again[j].Data, first[j].Data) {
				t.Fatalf("run %d: %s differs from the first run", i, again[j].Path)
			}
		}
	}
}

func TestObjectsCarryTheNacosIdentity(t *testing.T) {
	objs := renderAll(t, loadShop(t), "prod")
	o := objectAt(t, objs, "prod/nacos/shop-prod/DEFAULT_GROUP/orders.yaml")
	want := render.Identity{Kind: KindConfig, Namespace: "shop-prod", Name: "DEFAULT_GROUP/orders.yaml"}
	if o.ID != want || o.Target != render.TargetNacos || o.Env != "prod" || o.Service != "orders" ||
		o.Source != "services/orders.cue" || o.Value != nil {
		t.Errorf("orders object = %+v", o)
	}
	idx := objectAt(t, objs, "prod/nacos/index.json")
	if idx.ID.Kind != KindIndex || idx.ID.Namespace != "shop-prod" || strings.Contains(idx.ID.Name, "/") {
		t.Errorf("index identity = %+v; its Name must not look like group/dataId", idx.ID)
	}
	zip := objectAt(t, objs, "prod/nacos/import.zip")
	if zip.ID.Kind != KindBundle || strings.Contains(zip.ID.Name, "/") {
		t.Errorf("bundle identity = %+v", zip.ID)
	}
	// Entries come first, sorted by group and dataId, then index and bundle.
	var paths []string
	for _, o := range objs {
		paths = append(paths, o.Path)
	}
	want2 := []string{
		"prod/nacos/shop-prod/DEFAULT_GROUP/gateway.yaml",
		"prod/nacos/shop-prod/DEFAULT_GROUP/inventory.yaml",
		"prod/nacos/shop-prod/DEFAULT_GROUP/notifications.yaml",
		"prod/nacos/shop-prod/DEFAULT_GROUP/orders-lite.yaml",
		"prod/nacos/shop-prod/DEFAULT_GROUP/orders.yaml",
		"prod/nacos/shop-prod/DEFAULT_GROUP/payments.properties",
		"prod/nacos/shop-prod/DEFAULT_GROUP/users.json",
		"prod/nacos/index.json",
		"prod/nacos/import.zip",
	}
	if diff := cmp.Diff(want2, paths); diff != "" {
		t.Errorf("object paths (-want +got):\n%s", diff)
	}
}

func TestIndexListsEveryEntryOfTheEnvironment(t *testing.T) {
	m := loadShop(t)
	objs := renderAll(t, m, "staging")
	var doc struct {
		Version     int    `json:"version"`
		Environment string `json:"environment"`
		Entries     []struct {
			Namespace, Group, DataID, Type, MD5, Path, Service, Source string
		} `json:"entries"`
	}
	raw := objectAt(t, objs, "staging/nacos/index.json").Raw
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("index.json: %v\n%s", err, raw)
	}
	if doc.Version != IndexVersion || doc.Environment != "staging" {
		t.Errorf("index header = %d %q", doc.Version, doc.Environment)
	}
	if want := appServices(t, m, "staging"); len(doc.Entries) != want {
		t.Fatalf("index has %d entries, want one per application (%d)", len(doc.Entries), want)
	}
	for _, e := range doc.Entries {
		o := objectAt(t, objs, e.Path)
		if ContentMD5(string(o.Raw)) != e.MD5 || o.Service != e.Service || o.Source != e.Source ||
			o.ID.Namespace != e.Namespace || o.ID.Name != e.Group+"/"+e.DataID {
			t.Errorf("index entry %+v does not describe %+v", e, o)
		}
	}
	if !sort.SliceIsSorted(doc.Entries, func(i, j int) bool {
		return doc.Entries[i].Group+"/"+doc.Entries[i].DataID < doc.Entries[j].Group+"/"+doc.Entries[j].DataID
	}) {
		t.Error("index entries are not sorted by group and dataId")
	}
	if !bytes.HasSuffix(raw, []byte("\n")) || !bytes.HasPrefix(raw, []byte("{\n  \"version\": 1,\n")) {
		t.Errorf("index.json is not indented JSON with a trailing newline:\n%s", raw)
	}
}

func TestEntriesAreWhatRenderWrites(t *testing.T) {
	m := loadShop(t)
	envs := m.EnvironmentNames()
	byEnv, err := Entries(m, envs)
	if err != nil {
		t.Fatal(err)
	}
	objs := renderAll(t, m)
	for _, env := range envs {
		if want := appServices(t, m, env); len(byEnv[env]) != want {
			t.Errorf("%s: %d entries, want %d", env, len(byEnv[env]), want)
		}
		for _, e := range byEnv[env] {
			o := objectAt(t, objs, EntryPath(env, e))
			if string(o.Raw) != e.Content || e.MD5 != ContentMD5(e.Content) || e.Namespace != "shop-"+env {
				t.Errorf("%s %s: entry and rendered file differ", env, e.Key())
			}
			if err := e.Validate(); err != nil {
				t.Error(err)
			}
		}
	}
}

func TestPlatformsWithoutNacosRenderNothing(t *testing.T) {
	for _, cc := range []string{``, `configCenter: {kind: "none"}`, `configCenter: {kind: "apollo", address: "apollo:8080"}`} {
		m := loadSpec(t, map[string]string{"platform.cue": `package platform

platform: {
	name: "mini"
	registry: {kind: "kubernetes"}
	` + cc + `
}
environments: dev: {tier: "dev"}
services: api: {owner: "a", image: "ghcr.io/a/api", version: "v1", config: data: a: 1}
`})
		objs, err := Renderer{}.Render(context.Background(), m, m.EnvironmentNames())
		if err != nil || len(objs) != 0 {
			t.Errorf("%s: render = %d objects, %v; want none", cc, len(objs), err)
		}
		if _, err := Entries(m, m.EnvironmentNames()); !errors.Is(err, ErrNotNacos) {
			t.Errorf("%s: Entries error = %v, want ErrNotNacos", cc, err)
		}
	}
}

func TestGroupAndDataIDDefaultsAndOverrides(t *testing.T) {
	m := miniSpec(t, `services: {
	plain: {owner: "a", image: "ghcr.io/a/plain", version: "v1", config: data: a: 1}
	props: {owner: "a", image: "ghcr.io/a/props", version: "v1", config: {format: "properties", data: a: 1}}
	doc:   {owner: "a", image: "ghcr.io/a/doc", version: "v1", config: {format: "json", group: "DOCS", data: a: 1}}
	motd:  {owner: "a", image: "ghcr.io/a/motd", version: "v1", config: {format: "text", dataId: "motd", data: content: "hello\n"}}
}
`)
	byEnv, err := Entries(m, []string{"dev"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range byEnv["dev"] {
		got = append(got, e.Namespace+" "+e.Group+" "+e.DataID+" "+e.Type)
	}
	want := []string{
		"mini-dev DOCS doc.json json",
		"mini-dev MINI_GROUP motd text",
		"mini-dev MINI_GROUP plain.yaml yaml",
		"mini-dev MINI_GROUP props.properties properties",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if c := byEnv["dev"][1].Content; c != "hello\n" {
		t.Errorf("text content = %q", c)
	}
}

func TestAnOverlayRemovesAnInheritedKeyWithNull(t *testing.T) {
	platform := strings.Replace(nacosPlatform, `environments: dev: {tier: "dev", namespace: "mini-dev"}`,
		`environments: {dev: {tier: "dev"}, prod: {tier: "prod"}}`, 1)
	m := loadSpec(t, map[string]string{
		"platform.cue": platform,
		"services.cue": `package platform

services: api: {owner: "a", image: "ghcr.io/a/api", version: "v1",
	config: {format: "properties", data: {debug: {enabled: true}, db: maxOpen: 5}}
	env: prod: config: data: {debug: null, db: maxOpen: 50}}
`,
	})
	byEnv, err := Entries(m, m.EnvironmentNames())
	if err != nil {
		t.Fatal(err)
	}
	if got := byEnv["dev"][0].Content; got != "db.maxOpen=5\ndebug.enabled=true\n" {
		t.Errorf("dev content %q", got)
	}
	if got := byEnv["prod"][0].Content; got != "db.maxOpen=50\n" {
		t.Errorf("prod content %q", got)
	}
}

func TestThePublicNamespaceIsWrittenAsPublic(t *testing.T) {
	m := loadSpec(t, map[string]string{"platform.cue": strings.Replace(nacosPlatform, `namespace: "mini-dev"`, `namespace: "public"`, 1) +
		`services: api: {owner: "a", image: "ghcr.io/a/api", version: "v1", config: data: a: 1}
`})
	objs := renderAll(t, m)
	o := objectAt(t, objs, "dev/nacos/public/MINI_GROUP/api.yaml")
	if o.ID.Namespace != "" {
		t.Errorf("namespace id = %q, want the default namespace's id \"\"", o.ID.Namespace)
	}
}

// TestBadSpecsAreErrorsAtTheirPosition renders specs whose config cannot
// become a Nacos entry; each error names the file:line, the service and
// the environment.
func TestBadSpecsAreErrorsAtTheirPosition(t *testing.T) {
	cases := []struct {
		name, services string
		want           []string
	}{
		{
			name: "text without content",
			services: `services: motd: {owner: "a", image: "ghcr.io/a/motd", version: "v1",
	config: {format: "text", data: {message: "hi"}}}
`,
			want: []string{"services.cue:4:27: services.motd.config.data: Nacos entry:", "config.data.content"},
		},
		{
			name: "text with more than content",
			services: `services: motd: {owner: "a", image: "ghcr.io/a/motd", version: "v1",
	config: {format: "text", data: {content: "hi", extra: 1}}}
`,
			want: []string{"services.cue:4:27:", "remove extra"},
		},
		{
			name: "text content not a string",
			services: `services: motd: {owner: "a", image: "ghcr.io/a/motd", version: "v1",
	config: {format: "text", data: {
		content: 42}}}
`,
			want: []string{"services.cue:5:3: services.motd.config.data.content:", "needs a string, not a number"},
		},
		{
			name: "properties key written twice",
			services: `services: pay: {owner: "a", image: "ghcr.io/a/pay", version: "v1",
	config: {format: "properties", data: {
		db: maxOpen: 1
		"db.maxOpen": 2}}}
`,
			want: []string{`services.cue:6:3: services.pay.config.data."db.maxOpen": Nacos entry:`, `flattens to the properties key "db.maxOpen", as config.data.db.maxOpen does`},
		},
		{
			name: "properties null in a list",
			services: `services: pay: {owner: "a", image: "ghcr.io/a/pay", version: "v1",
	config: {format: "properties", data: {
		hosts: ["a", null]}}}
`,
			want: []string{"services.cue:5:16: services.pay.config.data.hosts[1]:", "null list element"},
		},
		{
			name: "properties with nothing to write",
			services: `services: pay: {owner: "a", image: "ghcr.io/a/pay", version: "v1",
	config: {format: "properties", data: {pool: {}}}}
`,
			want: []string{"services.cue:4:33: services.pay.config.data:", "blank", "Nacos refuses"},
		},
		{
			name: "two services on one dataId",
			services: `services: a: {owner: "a", image: "ghcr.io/a/a", version: "v1", config: {dataId: "shared.yaml", data: x: 1}}
services: b: {owner: "a", image: "ghcr.io/a/b", version: "v1",
	config: {dataId: "shared.yaml", data: x: 2}}
`,
			want: []string{"services.cue:5:19: services.b.config.dataId: Nacos entry: entry mini-dev/MINI_GROUP/shared.yaml is also the entry of service a; give one of them another config.dataId or config.group (see also ", "services.cue:3:81)"},
		},
		{
			name: "dataId that is not a file name",
			services: `services: a: {owner: "a", image: "ghcr.io/a/a", version: "v1",
	config: {dataId: "..", data: x: 1}}
`,
			want: []string{"services.cue:4:19: services.a.config.dataId:", `".." cannot be written as a file name; choose another dataId`},
		},
		{
			name: "errors of several services are all reported",
			services: `services: a: {owner: "a", image: "ghcr.io/a/a", version: "v1", config: {format: "text", data: x: 1}}
services: b: {owner: "a", image: "ghcr.io/a/b", version: "v1", config: {format: "text", data: y: 1}}
`,
			want: []string{"services.a.config.data", "services.b.config.data"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := miniSpec(t, c.services)
			_, err := Renderer{}.Render(context.Background(), m, []string{"dev"})
			if err == nil {
				t.Fatal("render succeeded")
			}
			var list *diag.List
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not a *diag.List: %v", err, err)
			}
			msg := strings.ReplaceAll(err.Error(), filepath.ToSlash(m.Dir)+"/", "")
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error\n%s\ndoes not contain %q", msg, w)
				}
			}
			if _, err := Entries(m, []string{"dev"}); err == nil || err.Error() != list.Error() {
				t.Errorf("Entries error = %v, want the render error", err)
			}
		})
	}
}

func TestAMistakeInEveryEnvironmentIsReportedOnceAndAnOverlayMistakeAtTheOverlay(t *testing.T) {
	platform := strings.Replace(nacosPlatform, `environments: dev: {tier: "dev", namespace: "mini-dev"}`,
		`environments: {dev: {tier: "dev"}, prod: {tier: "prod"}}`, 1)
	m := loadSpec(t, map[string]string{
		"platform.cue": platform,
		"services.cue": `package platform

services: motd: {owner: "a", image: "ghcr.io/a/motd", version: "v1",
	config: {format: "text", data: {body: "hi"}}}
services: pay: {owner: "a", image: "ghcr.io/a/pay", version: "v1",
	config: {format: "properties", data: {hosts: ["a"]}}
	env: prod: config: data: {
		hosts: ["a", null]}}
`,
	})
	_, err := Entries(m, m.EnvironmentNames())
	var list *diag.List
	if !errors.As(err, &list) {
		t.Fatalf("err = %v", err)
	}
	msg := strings.ReplaceAll(err.Error(), filepath.ToSlash(m.Dir)+"/", "")
	want := []string{
		"services.cue:4:27: services.motd.config.data: Nacos entry: format text takes its content from config.data.content, a string, and there is none [in dev, prod]",
		"services.cue:8:16: services.pay.config.data.hosts[1]: Nacos entry: a null list element cannot be written in properties [in prod]",
	}
	got := strings.Split(msg, "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(got), len(want), msg)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("error %d:\n%s\nwant\n%s", i, got[i], want[i])
		}
	}
}

func TestPropertiesEscapeAsJavaPropertiesStore(t *testing.T) {
	cases := []struct {
		name string
		data map[string]any
		want string
	}{
		{"flat and sorted", map[string]any{"b": "2", "a": "1"}, "a=1\nb=2\n"},
		{"nested maps become dotted keys", map[string]any{"db": map[string]any{"maxOpen": 50, "pool": map[string]any{"idle": true}}},
			"db.maxOpen=50\ndb.pool.idle=true\n"},
		{"lists are indexed Spring-style, by number", map[string]any{"hosts": []any{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}},
			"hosts[0]=a\nhosts[1]=b\nhosts[2]=c\nhosts[3]=d\nhosts[4]=e\nhosts[5]=f\nhosts[6]=g\nhosts[7]=h\nhosts[8]=i\nhosts[9]=j\nhosts[10]=k\n"},
		{"lists of maps and lists", map[string]any{"routes": []any{map[string]any{"path": "/a", "weight": 10}, []any{1, 2}}},
			"routes[0].path=/a\nroutes[0].weight=10\nroutes[1][0]=1\nroutes[1][1]=2\n"},
		{"dotted keys are kept", map[string]any{"spring.application.name": "orders"}, "spring.application.name=orders\n"},
		{"separators in keys and values", map[string]any{"a=b:c": "x=y:z"}, "a\\=b\\:c=x\\=y\\:z\n"},
		{"comment characters", map[string]any{"#k!": "#v!"}, "\\#k\\!=\\#v\\!\n"},
		{"spaces: all in keys, leading only in values", map[string]any{"my key": "  two leading, trailing  "},
			"my\\ key=\\  two leading, trailing  \n"},
		{"control characters", map[string]any{"k": "a\tb\nc\rd\fe\x01f\x7f"}, "k=a\\tb\\nc\\rd\\fe\\u0001f\\u007F\n"},
		{"backslash", map[string]any{`c:\dir`: `c:\dir`}, "c\\:\\\\dir=c\\:\\\\dir\n"},
		{"non-ASCII as UTF-16 escapes", map[string]any{"grüße": "日本 €", "emoji": "😀"},
			"emoji=\\uD83D\\uDE00\ngr\\u00FC\\u00DFe=\\u65E5\\u672C \\u20AC\n"},
		{"numbers as written", map[string]any{"ratio": 0.005, "big": int64(9007199254740993), "neg": -3}, "big=9007199254740993\nneg=-3\nratio=0.005\n"},
		{"null map values are left out", map[string]any{"a": nil, "b": "1"}, "b=1\n"},
		{"empty maps and lists write nothing", map[string]any{"a": map[string]any{}, "b": []any{}, "c": "1"}, "c=1\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Content(TypeProperties, c.data)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
			for _, r := range got {
				if r > 0x7e || (r < 0x20 && r != '\n') {
					t.Errorf("output has %q: properties content must be printable ASCII", r)
				}
			}
		})
	}
}

func TestPropertiesRefuseWhatTheyCannotRepresent(t *testing.T) {
	cases := []struct {
		name string
		data map[string]any
		path string
		msg  string
	}{
		{"an empty key", map[string]any{"a": map[string]any{"": 1}}, `a.""`, "empty key"},
		{"a null list element", map[string]any{"a": []any{nil}}, "a[0]", "null list element"},
		{"two paths, one key", map[string]any{"a.b": 1, "a": map[string]any{"b": 2}}, `"a.b"`, `flattens to the properties key "a.b"`},
		{"a literal index colliding with a list", map[string]any{"l[0]": 1, "l": []any{2}}, `"l[0]"`, `flattens to the properties key "l[0]"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Content(TypeProperties, c.data)
			var de *diag.Diagnostic
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *diag.Diagnostic", err)
			}
			if de.Path.String() != c.path || !strings.Contains(de.Message, c.msg) {
				t.Errorf("err = path %q msg %q, want path %q msg containing %q", de.Path, de.Message, c.path, c.msg)
			}
		})
	}
}

// javaCheck loads a properties file with java.util.Properties.load
// (InputStream, so ISO-8859-1, as Spring Boot reads it) and prints every
// key and value URL-encoded, then the lines Properties.store writes for
// the same properties.
const javaCheck = `
import java.io.*;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.*;

public class Check {
	public static void main(String[] args) throws Exception {
		Properties p = new Properties();
		try (InputStream in = new FileInputStream(args[0])) { p.load(in); }
		for (String k : new TreeSet<>(p.stringPropertyNames())) {
			System.out.println("kv " + URLEncoder.encode(k, StandardCharsets.UTF_8) + " " + URLEncoder.encode(p.getProperty(k), StandardCharsets.UTF_8));
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		p.store(out, null);
		for (String line : out.toString(StandardCharsets.ISO_8859_1).split("\n")) {
			if (!line.startsWith("#")) System.out.println("store " + line);
		}
	}
}
`

// TestJavaReadsThePropertiesBackAndStoresThemTheSame checks the format
// against the JDK itself, when a java launcher is installed.
func TestJavaReadsThePropertiesBackAndStoresThemTheSame(t *testing.T) {
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("no java on PATH")
	}
	data := map[string]any{
		"a=b:c":    "x=y:z",
		"#k!":      "#v!",
		"my key":   "  lead and trail  ",
		"ctl":      "a\tb\nc\rd\fe\x01f\x7f",
		`c:\dir`:   `c:\dir\`,
		"grüße":    "日本 €",
		"emoji😀":   "😀 ok",
		"db":       map[string]any{"maxOpen": 50, "ratio": 0.005, "on": true},
		"hosts":    []any{"a", map[string]any{"x y": "1"}, []any{"n"}},
		"spring.x": "dotted",
		"empty":    "",
	}
	content, err := Content(TypeProperties, data)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "Check.java")
	props := filepath.Join(dir, "c.properties")
	if err := os.WriteFile(src, []byte(javaCheck), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(props, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(java, src, props).CombinedOutput()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, out)
	}
	want := map[string]string{
		"a=b:c": "x=y:z", "#k!": "#v!", "my key": "  lead and trail  ", "ctl": "a\tb\nc\rd\fe\x01f\x7f",
		`c:\dir`: `c:\dir\`, "grüße": "日本 €", "emoji😀": "😀 ok",
		"db.maxOpen": "50", "db.ratio": "0.005", "db.on": "true",
		"hosts[0]": "a", "hosts[1].x y": "1", "hosts[2][0]": "n",
		"spring.x": "dotted", "empty": "",
	}
	got := map[string]string{}
	var stored []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		switch kind, rest, _ := strings.Cut(line, " "); kind {
		case "kv":
			k, v, _ := strings.Cut(rest, " ")
			ku, err1 := url.QueryUnescape(k)
			vu, err2 := url.QueryUnescape(v)
			if err1 != nil || err2 != nil {
				t.Fatalf("bad line %q", line)
			}
			got[ku] = vu
		case "store":
			stored = append(stored, rest)
		default:
			t.Fatalf("unexpected java output %q", line)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("java read (-want +got):\n%s", diff)
	}
	ours := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
	sort.Strings(ours)
	sort.Strings(stored)
	if diff := cmp.Diff(stored, ours); diff != "" {
		t.Errorf("lines differ from Properties.store's (-java +govctl):\n%s", diff)
	}
}

func TestJSONContentIsSortedAndIndented(t *testing.T) {
	got, err := Content(TypeJSON, map[string]any{
		"zeta":  1,
		"alpha": map[string]any{"b": []any{true, nil, "x<y&z>"}, "a": 0.25},
		"Mid":   "ü",
		"gone":  nil,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "Mid": "ü",
  "alpha": {
    "a": 0.25,
    "b": [
      true,
      null,
      "x<y&z>"
    ]
  },
  "zeta": 1
}
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestYAMLContentIsTheRenderWritersYAML(t *testing.T) {
	data := map[string]any{"b": map[string]any{"on": "yes", "n": "010"}, "a": []any{1, "two"}}
	got, err := Content(TypeYAML, data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := render.MarshalYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) || strings.HasPrefix(got, "#") || strings.HasPrefix(got, "---") {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(got, `"on": "yes"`) || !strings.Contains(got, `"n": "010"`) {
		t.Errorf("ambiguous strings are not quoted:\n%s", got)
	}
}

func TestTextContentIsTheContentStringExactly(t *testing.T) {
	got, err := Content(TypeText, map[string]any{"content": "line 1\n  line 2 ü\n\n"})
	if err != nil || got != "line 1\n  line 2 ü\n\n" {
		t.Errorf("got %q, %v", got, err)
	}
	for _, bad := range []map[string]any{{}, {"body": "x"}, {"content": 1}, {"content": "x", "more": "y"}, {"content": map[string]any{"a": "b"}}} {
		if _, err := Content(TypeText, bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestUnknownFormatIsAnError(t *testing.T) {
	if _, err := Content("toml", map[string]any{"a": 1}); err == nil || !strings.Contains(err.Error(), "toml") {
		t.Errorf("err = %v", err)
	}
}

// TestYAMLContentIsTheNormalizedDataEncoded: Content hands yaml data to
// render.MarshalYAML without normalizing it first, which must write what
// encoding the normalized data writes.
func TestYAMLContentIsTheNormalizedDataEncoded(t *testing.T) {
	type pool struct {
		Max  int    `json:"max"`
		Note string `json:"note,omitempty"`
	}
	for _, data := range []map[string]any{
		nil,
		{},
		{"db": map[string]any{"maxOpen": 50, "dropped": nil, "hosts": []any{"a", nil, json.Number("1.50"), 1e-7, true}}},
		{"bad": "\xff\xfe", "on": "yes", "n": int64(1) << 60, "pool": pool{Max: 3}, "list": []string{"0755", ""}},
	} {
		got, err := Content(TypeYAML, data)
		if err != nil {
			t.Fatalf("%v: %v", data, err)
		}
		generic, err := render.Normalize(data)
		if err != nil {
			t.Fatal(err)
		}
		want, err := render.MarshalYAML(generic)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%v: Content wrote\n%s\nencoding the normalized data writes\n%s", data, got, want)
		}
	}
}

// appServices counts the services of env that read a config entry: the
// applications, not the databases, brokers and caches.
func appServices(t *testing.T, m *schema.Model, env string) int {
	t.Helper()
	res, err := m.Resolve(env)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, svc := range res.Services {
		if svc.IsApp() {
			n++
		}
	}
	return n
}
