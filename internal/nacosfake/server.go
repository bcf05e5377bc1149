// Package nacosfake is an in-process fake of a Nacos 2.x server's config
// Open API, for tests of every package that talks to Nacos (nacos,
// render/nacos, plan, the CLI). It implements, with the real paths, parameter names and
// locations, status codes and bodies, what govctl uses, following the
// server's source (alibaba/nacos 2.5.1):
//
//   - config/.../controller/ConfigController.java: /v1/cs/configs — get
//     (raw content, Content-MD5 and Config-Type headers, 404 "config data
//     not exist"), detail view (show=all: ConfigAllInfo JSON, empty 200 when
//     missing, tenant not normalised), accurate search (search=accurate,
//     paged, no md5 in items), publish (tenant, desc, type; casMd5 header),
//     delete, import (import=true, multipart "file", namespace, policy);
//   - config/.../controller/v2/ConfigControllerV2.java: /v2/cs/config — get,
//     publish (namespaceId; casMd5 header), delete, with Result JSON;
//   - config/.../service/ConfigOperationService.java and
//     ExternalConfigInfoPersistServiceImpl.insertOrUpdateCas: a CAS publish
//     inserts a missing config, otherwise updates only where md5 = casMd5
//     (or the stored md5 is empty), else HTTP 500 with
//     RESOURCE_CONFLICT (20005) "Cas publish fail, server md5 may have
//     changed."; every publish overwrites desc and type; md5 is md5Hex of
//     the UTF-8 content; invalid types become "text";
//   - config/.../utils/ParamUtils.java: dataId/group/namespace characters,
//     blank content, desc ≤ 128;
//   - common/.../NamespaceUtil.java: "", "public" and "null" mean the
//     default namespace "" (on the endpoints that call it);
//   - config/.../utils/ZipUtils.java and ConfigController.parseImportData(V2)
//     for the import (see ParseImport);
//   - plugin-default-impl/.../controller/UserController.java (login),
//     NacosAuthPluginService / HttpIdentityContextBuilder (the token is read
//     from an "Authorization: Bearer" header, then an accessToken header or
//     parameter; username and password parameters also authenticate),
//     NacosSignatureAlgorithm ("user not found!", "token invalid!", "token
//     expired!") and core/.../auth/AuthFilter.java (refusals are HTTP 403 via
//     sendError, rendered as Spring Boot's error JSON);
//   - console/.../exception/ConsoleExceptionHandler.java: a refused login
//     is HTTP 403 with the plain-text reason.
//
// Not modelled: gray/beta/tag configs, config history, namespaces as
// objects (every namespace exists), roles and permissions (every
// authenticated user may do everything), encryption plugins, long polling.
package nacosfake

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// ContextPath is the server's default context path.
const ContextPath = "/nacos"

// DefaultTokenTTL is nacos.core.auth.plugin.nacos.token.expire.seconds'
// default, 18000 seconds.
const DefaultTokenTTL = 18000 * time.Second

// Options configures a Server.
type Options struct {
	// Users are the accounts that can log in, username → password.
	Users map[string]string
	// RequireAuth turns on nacos.core.auth.enabled: config requests then
	// need a valid token (or username and password parameters).
	RequireAuth bool
	// TokenTTL is how long a token lives; DefaultTokenTTL when zero.
	TokenTTL time.Duration
	// Now is the server's clock, for token expiry and modification times;
	// time.Now when nil.
	Now func() time.Time
}

// Key names a config on the fake: namespace id ("" is public), group,
// dataId.
type Key struct{ Namespace, Group, DataID string }

// Config is a stored config.
type Config struct {
	ID                       int64
	Namespace, Group, DataID string
	Content, MD5, Type       string
	Desc, AppName            string
	Created, Modified        time.Time
}

// Request is one request the fake received, as recorded for tests.
type Request struct {
	Method string
	// Path is the path below the context path, e.g. "/v2/cs/config".
	Path string
	// Query is the raw query string; Params are the query and form
	// parameters together.
	Query  string
	Params url.Values
	// CasMD5 is the casMd5 header, if any.
	CasMD5 string
	// Status is the status the fake answered.
	Status int
}

// Server is the fake. Its methods are safe to call from tests while
// requests are in flight.
type Server struct {
	srv  *httptest.Server
	opts Options

	mu        sync.Mutex
	configs   map[Key]*Config
	nextID    int64
	tokens    map[string]time.Time // token → expiry
	requests  []Request
	failures  []failure
	onPublish func(Key)
	onRequest func(Request)
}

type failure struct {
	status int
	left   int
	skip   int // requests to let through first
	match  func(Request) bool
}

// New starts a fake server, closed when the test ends.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.TokenTTL == 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, configs: map[Key]*Config{}, tokens: map[string]time.Time{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.srv.Close)
	return s
}

// Addr is the server's address with its context path, what a client is
// configured with: http://127.0.0.1:port/nacos.
func (s *Server) Addr() string { return s.srv.URL + ContextPath }

// Close stops the server early.
func (s *Server) Close() { s.srv.Close() }

// SetRequireAuth turns authentication on or off.
func (s *Server) SetRequireAuth(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.RequireAuth = on
}

// Put stores a config directly, as if it had been published with desc.
func (s *Server) Put(namespace, group, dataID, typ, content, desc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store(Key{processNamespace(namespace), group, dataID}, content, typ, desc, true)
}

// ConsoleEdit changes a config's content the way an edit in the Nacos
// console does: the console publishes the new content with the
// description it displayed, so desc is unchanged and md5 changes. It
// panics if the config does not exist.
func (s *Server) ConsoleEdit(namespace, group, dataID, content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.configs[Key{processNamespace(namespace), group, dataID}]
	if c == nil {
		panic(fmt.Sprintf("nacosfake: ConsoleEdit of missing config %s/%s/%s", namespace, group, dataID))
	}
	c.Content, c.MD5, c.Modified = content, md5Hex(content), s.opts.Now()
}

// Get returns a copy of a stored config.
func (s *Server) Get(namespace, group, dataID string) (Config, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.configs[Key{processNamespace(namespace), group, dataID}]
	if !ok {
		return Config{}, false
	}
	return *c, true
}

// Configs returns copies of every stored config, sorted by key.
func (s *Server) Configs() []Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Config, 0, len(s.configs))
	for _, c := range s.configs {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return a.DataID < b.DataID
	})
	return out
}

// Requests returns every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests had the method and path (below the
// context path, e.g. "/v2/cs/config").
func (s *Server) Count(method, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// FailNth makes the nth request from now on (1 is the next one) answer
// status with an injected-failure body; the others are served normally. When
// two injected failures fall on the same request, the earlier one fires and
// the later one fires on the next request.
func (s *Server) FailNth(nth, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{status: status, left: 1, skip: nth - 1})
}

// FailMatching makes the next times requests for which match returns true
// answer status (times < 0: every such request). match nil matches all.
func (s *Server) FailMatching(status, times int, match func(Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{status: status, left: times, match: match})
}

// OnPublish registers fn to run at the start of every publish (v1 or v2),
// before the compare-and-swap is checked, without the server's lock held:
// a test simulates a concurrent edit between a client's read and write by
// calling ConsoleEdit from fn. nil removes the hook.
func (s *Server) OnPublish(fn func(Key)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onPublish = fn
}

// OnRequest registers fn to run at the start of every request, before
// failures are injected, without the server's lock held (e.g. to delay an
// answer past a client's timeout). nil removes the hook.
func (s *Server) OnRequest(fn func(Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onRequest = fn
}

// ClearFailures removes every pending injected failure.
func (s *Server) ClearFailures() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = nil
}

// serve routes a request like the server's dispatcher and records it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	path := strings.TrimPrefix(r.URL.Path, ContextPath)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		_ = r.ParseMultipartForm(32 << 20)
	} else {
		_ = r.ParseForm()
	}
	req := Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Params: cloneValues(r.Form), CasMD5: r.Header.Get("casMd5")}
	defer func() {
		req.Status = rec.status
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
	}()
	s.mu.Lock()
	hook := s.onRequest
	s.mu.Unlock()
	if hook != nil {
		hook(req)
	}
	if status, ok := s.injectedFailure(req); ok {
		springError(rec, r, status, "injected failure")
		return
	}
	switch {
	case (path == "/v1/auth/login" || path == "/v1/auth/users/login") && r.Method == http.MethodPost:
		s.login(rec, r)
	case path == "/v1/cs/configs":
		if !s.authorized(rec, r) {
			return
		}
		s.v1Configs(rec, r)
	case path == "/v2/cs/config":
		if !s.authorized(rec, r) {
			return
		}
		s.v2Config(rec, r)
	default:
		springError(rec, r, http.StatusNotFound, "")
	}
}

func (s *Server) injectedFailure(req Request) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status := 0
	for i := range s.failures {
		f := &s.failures[i]
		if f.left == 0 || (f.match != nil && !f.match(req)) {
			continue
		}
		if f.skip > 0 {
			f.skip-- // every pending FailNth counts every request
			continue
		}
		if status == 0 {
			status = f.status
			if f.left > 0 {
				f.left--
			}
		}
	}
	return status, status != 0
}

// login is UserController.login for the nacos auth system.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	user, pass := r.Form.Get("username"), r.Form.Get("password")
	s.mu.Lock()
	want, ok := s.opts.Users[user]
	s.mu.Unlock()
	if isBlank(user) || isBlank(pass) || !ok || want != pass {
		// AbstractAuthenticationManager.authenticate → AccessException →
		// ConsoleExceptionHandler: 403, the message as plain text.
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "user not found!")
		return
	}
	token := newToken()
	s.mu.Lock()
	s.tokens[token] = s.opts.Now().Add(s.opts.TokenTTL)
	s.mu.Unlock()
	w.Header().Set("Authorization", "Bearer "+token)
	writeJSON(w, http.StatusOK, map[string]any{
		"accessToken": token,
		"tokenTtl":    int64(s.opts.TokenTTL / time.Second),
		"globalAdmin": true,
		"username":    user,
	})
}

// authorized is AuthFilter with the default auth plugin.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.opts.RequireAuth {
		return true
	}
	token := ""
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	} else if h := r.Header.Get("accessToken"); h != "" {
		token = h
	} else {
		token = r.Form.Get("accessToken")
	}
	var reason string
	if token != "" {
		exp, ok := s.tokens[token]
		switch {
		case !ok:
			reason = "token invalid!"
		case !s.opts.Now().Before(exp):
			reason = "token expired!"
		}
	} else {
		user, pass := r.Form.Get("username"), r.Form.Get("password")
		if want, ok := s.opts.Users[user]; isBlank(user) || isBlank(pass) || !ok || want != pass {
			reason = "user not found!"
		}
	}
	if reason != "" {
		springError(w, r, http.StatusForbidden, reason)
		return false
	}
	return true
}

// ---- /v1/cs/configs ----

func (s *Server) v1Configs(w http.ResponseWriter, r *http.Request) {
	q := r.Form
	switch r.Method {
	case http.MethodGet:
		switch {
		case q.Get("show") == "all":
			s.v1Detail(w, r)
		case q.Get("search") == "accurate":
			s.v1Search(w, r)
		default:
			s.v1Get(w, r)
		}
	case http.MethodPost:
		if q.Get("import") == "true" {
			s.v1Import(w, r)
			return
		}
		s.publish(w, r, false)
	case http.MethodDelete:
		s.delete(w, r, false)
	default:
		springError(w, r, http.StatusMethodNotAllowed, "")
	}
}

// v1Detail is detailConfigInfo: the tenant is used as given (no
// processNamespaceParameter), a missing config is an empty 200.
func (s *Server) v1Detail(w http.ResponseWriter, r *http.Request) {
	q := r.Form
	if !requireParams(w, r, false, "dataId", "group") {
		return
	}
	if err := checkParams(q.Get("dataId"), q.Get("group"), "content"); err != "" {
		v1Error(w, http.StatusBadRequest, err)
		return
	}
	s.mu.Lock()
	c, ok := s.configs[Key{q.Get("tenant"), q.Get("group"), q.Get("dataId")}]
	var copied Config
	if ok {
		copied = *c
	}
	s.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, http.StatusOK, allInfo(copied))
}

// allInfo is the JSON of ConfigAllInfo.
func allInfo(c Config) map[string]any {
	return map[string]any{
		"id":               strconv.FormatInt(c.ID, 10),
		"dataId":           c.DataID,
		"group":            c.Group,
		"content":          c.Content,
		"md5":              c.MD5,
		"encryptedDataKey": "",
		"tenant":           c.Namespace,
		"appName":          c.AppName,
		"type":             c.Type,
		"createTime":       c.Created.UnixMilli(),
		"modifyTime":       c.Modified.UnixMilli(),
		"createUser":       nil,
		"createIp":         "127.0.0.1",
		"desc":             c.Desc,
		"use":              nil,
		"effect":           nil,
		"schema":           nil,
		"configTags":       nil,
	}
}

// v1Search is searchConfig (search=accurate) → findConfigInfo4Page: blank
// dataId/group match all; items carry no md5 (the SQL does not select it).
func (s *Server) v1Search(w http.ResponseWriter, r *http.Request) {
	q := r.Form
	if !requireParams(w, r, false, "dataId", "group", "pageNo", "pageSize") {
		return
	}
	pageNo, err1 := strconv.Atoi(q.Get("pageNo"))
	pageSize, err2 := strconv.Atoi(q.Get("pageSize"))
	if err1 != nil || err2 != nil || pageNo < 1 || pageSize < 1 {
		v1Error(w, http.StatusBadRequest, "invalid pageNo or pageSize")
		return
	}
	tenant := q.Get("tenant")
	if isBlank(tenant) {
		tenant = ""
	}
	s.mu.Lock()
	var all []Config
	for k, c := range s.configs {
		if k.Namespace != tenant ||
			(!isBlank(q.Get("dataId")) && k.DataID != q.Get("dataId")) ||
			(!isBlank(q.Get("group")) && k.Group != q.Get("group")) ||
			(!isBlank(q.Get("appName")) && c.AppName != q.Get("appName")) {
			continue
		}
		all = append(all, *c)
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	items := []map[string]any{}
	for i := (pageNo - 1) * pageSize; i < len(all) && i < pageNo*pageSize; i++ {
		c := all[i]
		items = append(items, map[string]any{
			"id": strconv.FormatInt(c.ID, 10), "dataId": c.DataID, "group": c.Group, "content": c.Content,
			"md5": nil, "encryptedDataKey": "", "tenant": c.Namespace, "appName": c.AppName, "type": c.Type,
		})
	}
	pages := (len(all) + pageSize - 1) / pageSize
	writeJSON(w, http.StatusOK, map[string]any{
		"totalCount": len(all), "pageNumber": pageNo, "pagesAvailable": pages, "pageItems": items,
	})
}

// v1Get is getConfig → ConfigServletInner.doGetConfig for API v1.
func (s *Server) v1Get(w http.ResponseWriter, r *http.Request) {
	s.get(w, r, false)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, v2 bool) {
	q := r.Form
	if !requireParams(w, r, v2, "dataId", "group") {
		return
	}
	nsParam := "tenant"
	if v2 {
		nsParam = "namespaceId"
	}
	if err := checkParams(q.Get("dataId"), q.Get("group"), "content"); err != "" {
		paramError(w, v2, err)
		return
	}
	s.mu.Lock()
	c, ok := s.configs[Key{processNamespace(q.Get(nsParam)), q.Get("group"), q.Get("dataId")}]
	var copied Config
	if ok {
		copied = *c
	}
	s.mu.Unlock()
	if !ok {
		if v2 {
			writeJSON(w, http.StatusNotFound, result(20004, "resource not found", "config data not exist"))
		} else {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "config data not exist\n")
		}
		return
	}
	w.Header().Set("Config-Type", copied.Type)
	w.Header().Set("Content-MD5", copied.MD5)
	w.Header().Set("Last-Modified", copied.Modified.UTC().Format(http.TimeFormat))
	if v2 {
		writeJSON(w, http.StatusOK, result(0, "success", copied.Content))
		return
	}
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	io.WriteString(w, copied.Content)
}

// publish is publishConfig (v1: tenant, answer "true"; v2: namespaceId,
// Result) → ConfigOperationService.publishConfig.
func (s *Server) publish(w http.ResponseWriter, r *http.Request, v2 bool) {
	q := r.Form
	if !requireParams(w, r, v2, "dataId", "group", "content") {
		return
	}
	nsParam := "tenant"
	if v2 {
		nsParam = "namespaceId"
	}
	ns := processNamespace(q.Get(nsParam))
	dataID, group, content := q.Get("dataId"), q.Get("group"), q.Get("content")
	if err := checkTenant(ns); err != "" {
		paramError(w, v2, err)
		return
	}
	if err := checkParams(dataID, group, content); err != "" {
		paramError(w, v2, err)
		return
	}
	if len(q.Get("desc")) > 128 {
		paramError(w, v2, "too long desc, over 128")
		return
	}
	typ := q.Get("type")
	if !validType(typ) {
		typ = "text"
	}
	key := Key{ns, group, dataID}
	s.mu.Lock()
	hook := s.onPublish
	s.mu.Unlock()
	if hook != nil {
		hook(key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cas := r.Header.Get("casMd5"); !isBlank(cas) {
		if c, ok := s.configs[key]; ok && c.MD5 != "" && c.MD5 != cas {
			const msg = "Cas publish fail, server md5 may have changed."
			if v2 {
				writeJSON(w, http.StatusInternalServerError, result(20005, "resource conflict", msg))
			} else {
				v1Error(w, http.StatusInternalServerError, msg)
			}
			return
		}
	}
	s.store(key, content, typ, q.Get("desc"), true)
	if v2 {
		writeJSON(w, http.StatusOK, result(0, "success", true))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, "true")
}

// store inserts or updates with s.mu held. An update overwrites desc and
// type and keeps appName, as updateConfigInfo does.
func (s *Server) store(key Key, content, typ, desc string, overwrite bool) bool {
	now := s.opts.Now()
	if c, ok := s.configs[key]; ok {
		if !overwrite {
			return false
		}
		c.Content, c.MD5, c.Type, c.Desc, c.Modified = content, md5Hex(content), typ, desc, now
		return true
	}
	s.nextID++
	s.configs[key] = &Config{
		ID: s.nextID, Namespace: key.Namespace, Group: key.Group, DataID: key.DataID,
		Content: content, MD5: md5Hex(content), Type: typ, Desc: desc, Created: now, Modified: now,
	}
	return true
}

// delete is deleteConfig: v1 uses tenant as given, v2 normalises it.
func (s *Server) delete(w http.ResponseWriter, r *http.Request, v2 bool) {
	q := r.Form
	if !requireParams(w, r, v2, "dataId", "group") {
		return
	}
	ns := q.Get("tenant")
	if v2 {
		ns = processNamespace(q.Get("namespaceId"))
	}
	if err := checkParams(q.Get("dataId"), q.Get("group"), "rm"); err != "" {
		paramError(w, v2, err)
		return
	}
	s.mu.Lock()
	delete(s.configs, Key{ns, q.Get("group"), q.Get("dataId")})
	s.mu.Unlock()
	if v2 {
		writeJSON(w, http.StatusOK, result(0, "success", true))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, "true")
}

// v1Import is importAndPublishConfig with batchImportAndPublishConfigs.
func (s *Server) v1Import(w http.ResponseWriter, r *http.Request) {
	restResult := func(code int, msg string, data map[string]any) {
		writeJSON(w, http.StatusOK, map[string]any{"code": code, "message": msg, "data": data})
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		restResult(codeDataEmpty, "导入的文件数据为空", map[string]any{})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		restResult(codeParsingFailed, "解析数据失败", map[string]any{"succCount": 0})
		return
	}
	parsed, err := ParseImport(data)
	if err != nil {
		code := codeParsingFailed
		if ie, ok := err.(*ImportError); ok {
			code = ie.Code
		}
		restResult(code, err.Error(), map[string]any{"succCount": 0})
		return
	}
	if len(parsed.Configs) == 0 {
		restResult(codeDataEmpty, "导入的文件数据为空", map[string]any{"succCount": 0})
		return
	}
	ns := processNamespace(r.Form.Get("namespace"))
	policy := r.Form.Get("policy")
	if policy == "" {
		policy = "ABORT"
	}
	succ, skip := 0, 0
	var failData, skipData []map[string]string
	s.mu.Lock()
	for i, c := range parsed.Configs {
		typ := c.Type
		if !validType(typ) {
			typ = "text"
		}
		if s.store(Key{ns, c.Group, c.DataID}, c.Content, typ, c.Desc, policy == "OVERWRITE") {
			succ++
			continue
		}
		item := map[string]string{"dataId": c.DataID, "group": c.Group}
		if policy == "SKIP" {
			skip++
			skipData = append(skipData, item)
			continue
		}
		failData = append(failData, item) // ABORT: skip the rest
		for _, rest := range parsed.Configs[i+1:] {
			skipData = append(skipData, map[string]string{"dataId": rest.DataID, "group": rest.Group})
			skip++
		}
		break
	}
	s.mu.Unlock()
	out := map[string]any{"succCount": succ, "skipCount": skip}
	if len(failData) > 0 {
		out["failData"] = failData
	}
	if len(skipData) > 0 {
		out["skipData"] = skipData
	}
	if len(parsed.Unrecognized) > 0 {
		var un []map[string]string
		for _, u := range parsed.Unrecognized {
			un = append(un, map[string]string{"itemName": u})
		}
		out["unrecognizedCount"] = len(un)
		out["unrecognizedData"] = un
	}
	restResult(200, "import success", out)
}

// ---- /v2/cs/config ----

func (s *Server) v2Config(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.get(w, r, true)
	case http.MethodPost:
		s.publish(w, r, true)
	case http.MethodDelete:
		s.delete(w, r, true)
	default:
		springError(w, r, http.StatusMethodNotAllowed, "")
	}
}

// ---- helpers ----

// requireParams answers 400 like Spring's MissingServletRequestParameter
// when a required parameter is absent (present but empty is accepted).
func requireParams(w http.ResponseWriter, r *http.Request, v2 bool, names ...string) bool {
	for _, n := range names {
		if _, ok := r.Form[n]; !ok {
			msg := fmt.Sprintf("Required request parameter '%s' for method parameter type String is not present", n)
			if v2 {
				writeJSON(w, http.StatusBadRequest, result(20000, "parameter missing", msg))
			} else {
				springError(w, r, http.StatusBadRequest, msg)
			}
			return false
		}
	}
	return true
}

// checkParams is ParamUtils.checkParam(dataId, group, datumId, content).
func checkParams(dataID, group, content string) string {
	switch {
	case isBlank(dataID) || !isValid(strings.TrimSpace(dataID)):
		return "invalid dataId : " + dataID
	case isBlank(group) || !isValid(group):
		return "invalid group : " + group
	case isBlank(content):
		return "content is blank : " + content
	}
	return ""
}

func checkTenant(ns string) string {
	if !isBlank(ns) {
		if !isValid(strings.TrimSpace(ns)) {
			return "invalid namespaceId"
		}
		if len(ns) > 128 {
			return "too long namespaceId, over 128"
		}
	}
	return ""
}

// isValid is ParamUtils.isValid: Character.isLetterOrDigit or "_-.:".
func isValid(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("_-.:", r) {
			return false
		}
	}
	return true
}

// validType is ConfigType.isValidType.
func validType(t string) bool {
	switch t {
	case "properties", "xml", "json", "text", "html", "yaml", "toml", "unset":
		return true
	}
	return false
}

// processNamespace is NamespaceUtil.processNamespaceParameter.
func processNamespace(ns string) string {
	if isBlank(ns) || strings.EqualFold(ns, "public") || strings.EqualFold(ns, "null") {
		return ""
	}
	return strings.TrimSpace(ns)
}

// paramError answers a NacosApiException(400, PARAMETER_VALIDATE_ERROR):
// v2 through NacosApiExceptionHandler, v1 through the config module's
// GlobalExceptionHandler.
func paramError(w http.ResponseWriter, v2 bool, msg string) {
	if v2 {
		writeJSON(w, http.StatusBadRequest, result(20002, "parameter validate error", msg))
		return
	}
	v1Error(w, http.StatusBadRequest, msg)
}

// v1Error is GlobalExceptionHandler.handleNacosException: the status and
// ExceptionUtil.getAllExceptionMsg as plain text.
func v1Error(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	io.WriteString(w, "caused: "+msg+";")
}

// springError is what HttpServletResponse.sendError renders through Spring
// Boot's error controller with server.error.include-message=ALWAYS.
func springError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeJSON(w, status, map[string]any{
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000+00:00"),
		"status":    status,
		"error":     http.StatusText(status),
		"message":   msg,
		"path":      r.URL.Path,
	})
}

// result is com.alibaba.nacos.api.model.v2.Result.
func result(code int, msg string, data any) map[string]any {
	return map[string]any{"code": code, "message": msg, "data": data}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "eyJhbGciOiJIUzI1NiJ9." + hex.EncodeToString(b)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

type recorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status before sending it.
func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
