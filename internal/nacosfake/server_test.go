package nacosfake

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

type answer struct {
	status int
	body   string
	header http.Header
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("not JSON: %q", a.body)
	}
	return m
}

// call sends a request: params go to the query for GET and DELETE, to a
// form body for POST.
func call(t *testing.T, s *Server, method, path string, params url.Values, header map[string]string) answer {
	t.Helper()
	u := s.Addr() + path
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(params.Encode())
	} else if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), header: resp.Header}
}

func v2Publish(content string) url.Values {
	return url.Values{"dataId": {"a.yaml"}, "group": {"G"}, "namespaceId": {"dev"}, "content": {content}, "type": {"yaml"}, "desc": {"d"}}
}

func TestCASPublishFollowsInsertOrUpdateCas(t *testing.T) {
	s := New(t, Options{})
	// Absent: a CAS publish inserts whatever casMd5 says.
	a := call(t, s, http.MethodPost, "/v2/cs/config", v2Publish("a: 1\n"), map[string]string{"casMd5": "0123456789abcdef0123456789abcdef"})
	if a.status != 200 || a.json(t)["data"] != true {
		t.Fatalf("insert: %d %s", a.status, a.body)
	}
	c, _ := s.Get("dev", "G", "a.yaml")
	if c.MD5 != md5Hex("a: 1\n") || c.Desc != "d" || c.Type != "yaml" {
		t.Fatalf("%+v", c)
	}
	// Present with another md5: 500 RESOURCE_CONFLICT.
	a = call(t, s, http.MethodPost, "/v2/cs/config", v2Publish("a: 2\n"), map[string]string{"casMd5": md5Hex("other")})
	if m := a.json(t); a.status != 500 || m["code"] != float64(20005) || !strings.Contains(m["data"].(string), "Cas publish fail") {
		t.Fatalf("conflict: %d %s", a.status, a.body)
	}
	// The v1 endpoint reports the same failure as plain text.
	v1 := url.Values{"dataId": {"a.yaml"}, "group": {"G"}, "tenant": {"dev"}, "content": {"a: 2\n"}}
	a = call(t, s, http.MethodPost, "/v1/cs/configs", v1, map[string]string{"casMd5": md5Hex("other")})
	if a.status != 500 || a.body != "caused: Cas publish fail, server md5 may have changed.;" {
		t.Fatalf("v1 conflict: %d %q", a.status, a.body)
	}
	// casMd5 as a parameter is ignored, as by the server: an unconditional write.
	v1.Set("casMd5", md5Hex("other"))
	if a = call(t, s, http.MethodPost, "/v1/cs/configs", v1, nil); a.status != 200 || a.body != "true" {
		t.Fatalf("v1 publish: %d %q", a.status, a.body)
	}
	// Matching md5 updates; desc is overwritten (here: emptied).
	p := v2Publish("a: 3\n")
	p.Del("desc")
	if a = call(t, s, http.MethodPost, "/v2/cs/config", p, map[string]string{"casMd5": md5Hex("a: 2\n")}); a.status != 200 {
		t.Fatalf("cas update: %d %s", a.status, a.body)
	}
	if c, _ := s.Get("dev", "G", "a.yaml"); c.Content != "a: 3\n" || c.Desc != "" {
		t.Fatalf("%+v", c)
	}
}

func TestParameterChecksMatchParamUtils(t *testing.T) {
	s := New(t, Options{})
	for name, p := range map[string]url.Values{
		"blank content": {"dataId": {"a"}, "group": {"G"}, "content": {"  "}},
		"bad dataId":    {"dataId": {"a/b"}, "group": {"G"}, "content": {"x"}},
		"long desc":     {"dataId": {"a"}, "group": {"G"}, "content": {"x"}, "desc": {strings.Repeat("d", 129)}},
	} {
		a := call(t, s, http.MethodPost, "/v2/cs/config", p, nil)
		if a.status != 400 || a.json(t)["code"] != float64(20002) {
			t.Errorf("%s: %d %s", name, a.status, a.body)
		}
	}
	a := call(t, s, http.MethodPost, "/v2/cs/config", url.Values{"dataId": {"a"}, "group": {"G"}, "content": {"x"}, "type": {"nonsense"}}, nil)
	if c, _ := s.Get("", "G", "a"); a.status != 200 || c.Type != "text" {
		t.Fatalf("an invalid type is stored as text: %d %+v", a.status, c)
	}
}

func TestDetailViewUsesTheTenantAsGiven(t *testing.T) {
	s := New(t, Options{})
	s.Put("public", "G", "a.yaml", "yaml", "a: 1\n", "desc")
	q := url.Values{"show": {"all"}, "dataId": {"a.yaml"}, "group": {"G"}}
	if a := call(t, s, http.MethodGet, "/v1/cs/configs", q, nil); a.status != 200 || a.json(t)["desc"] != "desc" || a.json(t)["md5"] != md5Hex("a: 1\n") {
		t.Fatalf("tenant \"\": %d %s", a.status, a.body)
	}
	q.Set("tenant", "public")
	if a := call(t, s, http.MethodGet, "/v1/cs/configs", q, nil); a.status != 200 || a.body != "" {
		t.Fatalf("tenant public: %d %q, want the empty 200 of a missing config", a.status, a.body)
	}
	// The plain get does normalise, and answers raw content with headers.
	q.Del("show")
	a := call(t, s, http.MethodGet, "/v1/cs/configs", q, nil)
	if a.status != 200 || a.body != "a: 1\n" || a.header.Get("Content-MD5") != md5Hex("a: 1\n") || a.header.Get("Config-Type") != "yaml" {
		t.Fatalf("get: %d %q %v", a.status, a.body, a.header)
	}
	q.Set("dataId", "missing")
	if a := call(t, s, http.MethodGet, "/v1/cs/configs", q, nil); a.status != 404 {
		t.Fatalf("missing: %d", a.status)
	}
}

func TestAuthRefusalsAreForbiddenWithTheServersReasons(t *testing.T) {
	clk := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clk }
	s := New(t, Options{RequireAuth: true, Users: map[string]string{"nacos": "pw"}, TokenTTL: time.Minute, Now: now})
	get := url.Values{"dataId": {"a"}, "group": {"G"}}

	a := call(t, s, http.MethodPost, "/v1/auth/login", url.Values{"username": {"nacos"}, "password": {"bad"}}, nil)
	if a.status != 403 || a.body != "user not found!" {
		t.Fatalf("bad login: %d %q", a.status, a.body)
	}
	a = call(t, s, http.MethodPost, "/v1/auth/login", url.Values{"username": {"nacos"}, "password": {"pw"}}, nil)
	m := a.json(t)
	token, _ := m["accessToken"].(string)
	if a.status != 200 || token == "" || m["tokenTtl"] != float64(60) || a.header.Get("Authorization") != "Bearer "+token {
		t.Fatalf("login: %d %s", a.status, a.body)
	}

	reason := func(a answer) string { return a.json(t)["message"].(string) }
	if a := call(t, s, http.MethodGet, "/v2/cs/config", get, nil); a.status != 403 || reason(a) != "user not found!" {
		t.Fatalf("anonymous: %d %s", a.status, a.body)
	}
	if a := call(t, s, http.MethodGet, "/v2/cs/config", get, map[string]string{"Authorization": "Bearer nope"}); a.status != 403 || reason(a) != "token invalid!" {
		t.Fatalf("bad token: %d %s", a.status, a.body)
	}
	for name, h := range map[string]map[string]string{
		"bearer header":      {"Authorization": "Bearer " + token},
		"accessToken header": {"accessToken": token},
	} {
		if a := call(t, s, http.MethodGet, "/v2/cs/config", get, h); a.status != 404 {
			t.Fatalf("%s: %d %s", name, a.status, a.body)
		}
	}
	withParam := url.Values{"dataId": {"a"}, "group": {"G"}, "accessToken": {token}}
	if a := call(t, s, http.MethodGet, "/v2/cs/config", withParam, nil); a.status != 404 {
		t.Fatalf("accessToken parameter: %d %s", a.status, a.body)
	}
	withUser := url.Values{"dataId": {"a"}, "group": {"G"}, "username": {"nacos"}, "password": {"pw"}}
	if a := call(t, s, http.MethodGet, "/v2/cs/config", withUser, nil); a.status != 404 {
		t.Fatalf("username/password parameters: %d %s", a.status, a.body)
	}
	mu.Lock()
	clk = clk.Add(2 * time.Minute)
	mu.Unlock()
	if a := call(t, s, http.MethodGet, "/v2/cs/config", get, map[string]string{"Authorization": "Bearer " + token}); a.status != 403 || reason(a) != "token expired!" {
		t.Fatalf("expired: %d %s", a.status, a.body)
	}
}

func TestInjectedFailures(t *testing.T) {
	s := New(t, Options{})
	get := url.Values{"dataId": {"a"}, "group": {"G"}}
	s.FailNth(2, 500)
	var statuses []int
	for range 3 {
		statuses = append(statuses, call(t, s, http.MethodGet, "/v2/cs/config", get, nil).status)
	}
	if statuses[0] != 404 || statuses[1] != 500 || statuses[2] != 404 {
		t.Fatalf("statuses %v", statuses)
	}
	s.FailMatching(503, 2, func(r Request) bool { return r.Method == http.MethodDelete })
	for i, want := range []int{503, 503, 200} {
		if a := call(t, s, http.MethodDelete, "/v2/cs/config", get, nil); a.status != want {
			t.Fatalf("delete %d: %d, want %d", i, a.status, want)
		}
	}
	if n := s.Count(http.MethodDelete, "/v2/cs/config"); n != 3 {
		t.Fatalf("count %d", n)
	}
}

func TestListingIsPagedAndHasNoMD5(t *testing.T) {
	s := New(t, Options{})
	for _, id := range []string{"a", "b", "c"} {
		s.Put("dev", "G", id, "text", id, "")
	}
	s.Put("other", "G", "z", "text", "z", "")
	q := url.Values{"search": {"accurate"}, "dataId": {""}, "group": {""}, "tenant": {"dev"}, "pageNo": {"2"}, "pageSize": {"2"}}
	m := call(t, s, http.MethodGet, "/v1/cs/configs", q, nil).json(t)
	items := m["pageItems"].([]any)
	if m["totalCount"] != float64(3) || m["pagesAvailable"] != float64(2) || len(items) != 1 {
		t.Fatalf("%v", m)
	}
	if it := items[0].(map[string]any); it["dataId"] != "c" || it["md5"] != nil {
		t.Fatalf("%v", it)
	}
}

func zipOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i]) // deflated, with a data descriptor, as Java writes
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[i+1])
	}
	zw.Close()
	return b.Bytes()
}

func TestParseImportV2(t *testing.T) {
	meta := "metadata:\n- dataId: a.yaml\n  group: G\n  type: yaml\n  desc: hello\n- dataId: missing.yaml\n  group: G\n  type: yaml\n"
	got, err := ParseImport(zipOf(t, "G/a.yaml", "a: 1\n", "G/extra.yaml", "x", "G/", "", "a/b/c", "x", MetadataV2, meta))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Configs) != 1 || got.Configs[0] != (ImportedConfig{Group: "G", DataID: "a.yaml", Type: "yaml", Desc: "hello", Content: "a: 1\n"}) {
		t.Fatalf("%+v", got.Configs)
	}
	want := []string{"未在元数据中找到: G/extra.yaml", "a/b/c", "未在文件中找到: G/missing.yaml"}
	if strings.Join(got.Unrecognized, "|") != strings.Join(want, "|") {
		t.Fatalf("unrecognized %q", got.Unrecognized)
	}
	_, err = ParseImport(zipOf(t, "G/a.yaml", "x", MetadataV2, "metadata:\n- dataId: a.yaml\n  group: G\n"))
	var ie *ImportError
	if !errors.As(err, &ie) || ie.Code != codeMetadataIllegal {
		t.Fatalf("metadata without type: %v", err)
	}
}

func TestParseImportV1(t *testing.T) {
	got, err := ParseImport(zipOf(t, MetadataV1, "G.a~yaml.app=shop\r\n", "G/a.yaml", "a: 1\n", "G/b", "b"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Metadata != MetadataV1 || len(got.Configs) != 2 || got.Configs[0].AppName != "shop" || got.Configs[0].Type != "" {
		t.Fatalf("%+v", got)
	}
}

func TestParseImportRejectsWhatZipInputStreamRejects(t *testing.T) {
	// archive/zip's CreateHeader with Store still writes a data descriptor:
	// ZipInputStream fails with "only DEFLATED entries can have EXT
	// descriptor".
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "G/a.yaml", Method: zip.Store})
	io.WriteString(w, "a: 1\n")
	zw.Close()
	if _, err := ParseImport(b.Bytes()); err == nil || !strings.Contains(err.Error(), "EXT descriptor") {
		t.Fatalf("err = %v", err)
	}
}

func TestImportPolicyAbortStopsAtTheFirstExistingConfig(t *testing.T) {
	s := New(t, Options{})
	s.Put("dev", "G", "b", "text", "old", "")
	meta := "metadata:\n- dataId: a\n  group: G\n  type: text\n- dataId: b\n  group: G\n  type: text\n- dataId: c\n  group: G\n  type: text\n"
	zipData := zipOf(t, "G/a", "a", "G/b", "b", "G/c", "c", MetadataV2, meta)
	var body bytes.Buffer
	body.WriteString("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.zip\"\r\nContent-Type: application/zip\r\n\r\n")
	body.Write(zipData)
	body.WriteString("\r\n--X--\r\n")
	resp, err := http.Post(s.Addr()+"/v1/cs/configs?import=true&namespace=dev", "multipart/form-data; boundary=X", &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Code int
		Data map[string]any
	}
	json.NewDecoder(resp.Body).Decode(&res)
	if res.Code != 200 || res.Data["succCount"] != float64(1) || res.Data["skipCount"] != float64(1) {
		t.Fatalf("%+v", res)
	}
	if c, _ := s.Get("dev", "G", "b"); c.Content != "old" {
		t.Fatal("ABORT overwrote")
	}
	if _, ok := s.Get("dev", "G", "c"); ok {
		t.Fatal("ABORT went on past the existing config")
	}
}
