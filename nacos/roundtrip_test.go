package nacos

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govctl/govctl/internal/nacosfake"
	"github.com/govctl/govctl/internal/testutil"
	"github.com/govctl/govctl/render"
	rnacos "github.com/govctl/govctl/render/nacos"
	"github.com/govctl/govctl/schema"
)

// These tests take what render/nacos renders for examples/shop to a fake
// server: the entries through the client and apply, the import bundle
// through the console's import.

func loadShop(t *testing.T) *schema.Model { return testutil.LoadShop(t) }

// renderedObjects renders the Nacos objects of the given environments.
func renderedObjects(t *testing.T, m *schema.Model, envs ...string) []render.Object {
	t.Helper()
	objs, err := rnacos.Renderer{}.Render(context.Background(), m, envs)
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

// TestRenderedStagingRoundTripsThroughTheServer publishes the rendered
// entries of staging to a fake Nacos server and reads each one back.
func TestRenderedStagingRoundTripsThroughTheServer(t *testing.T) {
	m := loadShop(t)
	byEnv, err := rnacos.Entries(m, []string{"staging"})
	if err != nil {
		t.Fatal(err)
	}
	entries := byEnv["staging"]
	fake := newAuthFake(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, withAuth(ClientOptions{}))
	ctx := context.Background()

	rep, err := Apply(ctx, c, entries, ApplyOptions{})
	if err != nil {
		t.Fatalf("apply: %v (%+v)", err, rep.Results)
	}
	if n := rep.Count(ActionCreated); n != len(entries) {
		t.Fatalf("%d created, want %d", n, len(entries))
	}
	for _, e := range entries {
		live, found, err := c.Get(ctx, e.Key())
		if err != nil || !found {
			t.Fatalf("%s: found=%v err=%v", e.Key(), found, err)
		}
		if live.MD5 != e.MD5 || live.Content != e.Content || live.Type != e.Type {
			t.Errorf("%s: read back md5 %s type %s content %q, want %s %s %q",
				e.Key(), live.MD5, live.Type, live.Content, e.MD5, e.Type, e.Content)
		}
	}
	listed, err := c.List(ctx, "shop-staging")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(entries, listed); diff != "" {
		t.Errorf("listing the namespace (-rendered +listed):\n%s", diff)
	}
	again, err := Apply(ctx, c, entries, ApplyOptions{})
	if err != nil || again.Count(ActionUnchanged) != len(entries) {
		t.Errorf("second apply: %v %+v", err, again.Results)
	}
}

func TestTheRenderedImportBundleGivesTheSameMD5s(t *testing.T) {
	m := loadShop(t)
	objs := renderedObjects(t, m, "staging")
	byEnv, err := rnacos.Entries(m, []string{"staging"})
	if err != nil {
		t.Fatal(err)
	}
	entries := byEnv["staging"]
	fake := nacosfake.New(t, nacosfake.Options{})
	data := importBundle(t, fake, "shop-staging", objectAt(t, objs, "staging/nacos/import.zip").Raw)
	if data["succCount"] != float64(len(entries)) {
		t.Fatalf("import result %v", data)
	}
	for _, e := range entries {
		got, ok := fake.Get("shop-staging", e.Group, e.DataID)
		if !ok {
			t.Errorf("%s: not imported", e.Key())
			continue
		}
		if got.MD5 != e.MD5 || got.Content != e.Content || got.Type != e.Type {
			t.Errorf("%s: imported md5 %s type %s, want %s %s", e.Key(), got.MD5, got.Type, e.MD5, e.Type)
		}
	}
	c, _ := newTestClient(t, fake, ClientOptions{})
	rep, err := Apply(context.Background(), c, entries, ApplyOptions{DryRun: true})
	if err != nil || rep.Count(ActionUnchanged) != len(entries) {
		t.Errorf("after importing the bundle, apply would change things: %v %+v", err, rep.Results)
	}
}

// importBundle posts a bundle to the console's import endpoint, as the
// console's upload does.
func importBundle(t *testing.T, fake *nacosfake.Server, namespace string, bundle []byte) map[string]any {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "nacos_config_export.zip")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bundle)
	mw.WriteField("policy", "ABORT")
	mw.Close()
	resp, err := http.Post(fake.Addr()+"/v1/cs/configs?import=true&namespace="+namespace, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Code int            `json:"code"`
		Data map[string]any `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatal(err)
	}
	if res.Code != 200 {
		t.Fatalf("import answered %+v", res)
	}
	return res.Data
}

func TestAnImportedBundleIsRecognisedByApplyAsGovctls(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	entries := shopEntries(t)
	bundle, err := rnacos.Bundle(entries)
	if err != nil {
		t.Fatal(err)
	}
	data := importBundle(t, fake, "shop-dev", bundle)
	if data["succCount"] != float64(len(entries)) {
		t.Fatalf("import result %v", data)
	}
	c, _ := newTestClient(t, fake, ClientOptions{})
	rep, err := Apply(context.Background(), c, entries, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(ActionUnchanged) != len(entries) {
		t.Fatalf("after import, apply wants to change things: %+v", rep.Results)
	}
}
