package nacos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ConfigStore is what apply and plan need from a config centre. *Client
// implements it against a Nacos server; tests can swap in their own.
type ConfigStore interface {
	// Get reads one config with the metadata apply needs (md5, desc). found
	// is false, with a nil error, when the config does not exist.
	Get(ctx context.Context, key Key) (cfg Config, found bool, err error)
	// Publish creates or updates a config. A non-empty casMD5 makes the
	// write conditional: it succeeds only if the live md5 still equals
	// casMD5, or if casMD5 is ExpectAbsent and the config does not exist.
	// A failed condition returns an error matching ErrCASConflict.
	Publish(ctx context.Context, e Entry, casMD5, desc string) error
	// Delete removes a config; deleting a missing config is not an error.
	Delete(ctx context.Context, key Key) error
	// List returns every config of a namespace, sorted by key. The server
	// does not send md5 or desc in listings: MD5 is computed from Content.
	List(ctx context.Context, namespace string) ([]Entry, error)
}

// Config is a config as the server holds it: the entry plus the metadata
// govctl reads back to decide whether it may overwrite it.
type Config struct {
	Entry
	// Desc is the config's description; govctl keeps its ownership marker
	// there (see ManagedDesc).
	Desc string `json:"desc"`
	// Modified is the server's last modification time.
	Modified time.Time `json:"modified,omitzero"`
}

// ExpectAbsent is the casMd5 to publish with when the config is expected not
// to exist. The server's insertOrUpdateCas inserts when the row is missing
// and otherwise compares md5; this value is the md5 of empty content, which
// no live config can have because the server rejects blank content.
const ExpectAbsent = "d41d8cd98f00b204e9800998ecf8427e"

// ErrCASConflict is matched (errors.Is) by a Publish refused because the
// config's md5 was no longer the expected one.
var ErrCASConflict = errors.New("nacos: compare-and-swap failed: the config changed since it was read")

// AuthError is a request the server refused for authentication or
// authorisation (HTTP 401 or 403). It never carries the password or token.
type AuthError struct {
	// Status is the HTTP status, 401 or 403.
	Status int
	// Method and Path name the refused request (the path has no query, and
	// the client never puts secrets in queries).
	Method, Path string
	// Username is the user the client logged in as; empty when anonymous.
	Username string
	// Login reports that the login itself was refused.
	Login bool
	// Message is the server's reason, e.g. "user not found!".
	Message string
}

// Error implements error; it names the request and the likely cause.
func (e *AuthError) Error() string {
	var hint string
	switch {
	case e.Login:
		hint = fmt.Sprintf("login as %q refused: check the username and password", e.Username)
	case e.Username == "":
		hint = "the server requires authentication and no username was given"
	default:
		hint = fmt.Sprintf("user %q is not allowed to do this, or its token was rejected", e.Username)
	}
	msg := ""
	if e.Message != "" {
		msg = ": " + e.Message
	}
	return fmt.Sprintf("nacos: %s %s: HTTP %d%s: %s", e.Method, e.Path, e.Status, msg, hint)
}

// HTTPError is any other unexpected answer from the server.
type HTTPError struct {
	// Status is the HTTP status.
	Status int
	// Code is the Nacos result code of a v2 answer (e.g. 20002 parameter
	// validate error), 0 when the answer had none.
	Code int
	// Method and Path name the request.
	Method, Path string
	// Message is the server's message, shortened.
	Message string
}

// Error implements error.
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("nacos: %s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Code != 0 {
		s += fmt.Sprintf(" (code %d)", e.Code)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Status == http.StatusNotFound && strings.Contains(e.Path, "/v2/") {
		s += " (the v2 Open API needs Nacos 2.2 or later)"
	}
	return s
}

// ClientOptions configures a Client. The zero value is an anonymous client
// with default timeouts and retries.
type ClientOptions struct {
	// Username and Password log in for an accessToken. Leave Username
	// empty for a server without authentication.
	Username, Password string
	// HTTPClient sends the requests; http.DefaultClient when nil.
	HTTPClient *http.Client
	// Timeout bounds one attempt of one request; 10s when zero.
	Timeout time.Duration
	// MaxRetries is how many times a request is retried after a 5xx answer
	// or a transport error (timeouts included); 3 when zero, none when
	// negative. 4xx answers are never retried.
	MaxRetries int
	// Backoff is the delay before the first retry, doubled for each further
	// one up to MaxBackoff; 250ms and 4s when zero.
	Backoff, MaxBackoff time.Duration
	// Sleep waits between retries; tests replace it to count and skip
	// waits. It must return early with ctx's error when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock the token's lifetime is measured with; time.Now
	// when nil.
	Now func() time.Time
	// Trace, when set, receives one line per request and answer, with
	// passwords and tokens redacted.
	Trace io.Writer
}

// Client talks to a Nacos 2.x server through its Open API. It is safe for
// concurrent use.
//
// Endpoints, all under the server's context path (default /nacos), chosen
// from the server's source (2.5.1):
//   - login: POST /v1/auth/login, username and password as form fields
//     (UserController.login); the answer's accessToken is sent back as
//     "Authorization: Bearer <token>", which the auth filter reads before
//     the accessToken parameter (NacosAuthPluginService.resolveToken), so
//     the token never appears in a URL or an access log.
//   - get: GET /v1/cs/configs?show=all (ConfigController.detailConfigInfo),
//     the only 2.x read that returns desc and md5, from the database rather
//     than the cache. A missing config is a 200 with an empty body.
//   - publish: POST /v2/cs/config (ConfigControllerV2.publishConfig), form
//     fields dataId, group, namespaceId, content, type, desc; casMd5 travels
//     as a request header, never a parameter. A failed CAS is an HTTP 500
//     whose body has code 20005 (RESOURCE_CONFLICT), told apart from a
//     server fault by that code so it is not retried.
//   - delete: DELETE /v2/cs/config with query parameters.
//   - list: GET /v1/cs/configs?search=accurate, paged.
//
// The v1 API calls the namespace "tenant", the v2 API "namespaceId"; both
// mean the namespace id, and the default namespace's id is "".
type Client struct {
	base *url.URL
	opts ClientOptions
	http *http.Client

	mu        sync.Mutex // guards token and refreshAt; held during login
	token     string
	refreshAt time.Time

	secretsMu sync.Mutex // guards secrets
	secrets   []string   // every token issued to this client, for redaction
}

var _ ConfigStore = (*Client)(nil)

// NewClient returns a client for the server at address, e.g.
// "http://nacos.shop:8848" or "nacos.shop:8848/nacos". A missing scheme
// means http; a missing path means the default context path /nacos.
func NewClient(address string, opts ClientOptions) (*Client, error) {
	if strings.TrimSpace(address) == "" {
		return nil, errors.New("nacos: no server address")
	}
	if !strings.Contains(address, "://") {
		address = "http://" + address
	}
	u, err := url.Parse(address)
	if err != nil {
		return nil, fmt.Errorf("nacos: server address %q: %w", address, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("nacos: server address %q: scheme must be http or https", address)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("nacos: server address %q has no host", address)
	}
	if u.User != nil {
		return nil, errors.New("nacos: put credentials in ClientOptions, not in the server address")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if u.Path == "" {
		u.Path = "/nacos"
	}
	u.RawQuery, u.Fragment = "", ""
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	switch {
	case opts.MaxRetries == 0:
		opts.MaxRetries = 3
	case opts.MaxRetries < 0:
		opts.MaxRetries = 0
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 250 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 4 * time.Second
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepContext
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Client{base: u, opts: opts, http: opts.HTTPClient}, nil
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// configAllInfo is the JSON of ConfigAllInfo (ConfigInfoBase, ConfigInfo,
// ConfigAllInfo in the server's model package).
type configAllInfo struct {
	DataID     string `json:"dataId"`
	Group      string `json:"group"`
	Tenant     string `json:"tenant"`
	Content    string `json:"content"`
	MD5        string `json:"md5"`
	Type       string `json:"type"`
	Desc       string `json:"desc"`
	ModifyTime int64  `json:"modifyTime"`
}

// Get implements ConfigStore with the console's detail view.
func (c *Client) Get(ctx context.Context, key Key) (Config, bool, error) {
	key.Namespace = NormalizeNamespace(key.Namespace)
	q := url.Values{
		"show":   {"all"},
		"dataId": {key.DataID},
		"group":  {key.Group},
		"tenant": {key.Namespace},
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/cs/configs", query: q})
	if err != nil {
		return Config{}, false, fmt.Errorf("get %s: %w", key, err)
	}
	if resp.status != http.StatusOK {
		return Config{}, false, fmt.Errorf("get %s: %w", key, resp.httpError())
	}
	body := bytes.TrimSpace(resp.body)
	// detailConfigInfo returns null for a missing config, which Spring
	// writes as an empty 200.
	if len(body) == 0 || string(body) == "null" {
		return Config{}, false, nil
	}
	var info configAllInfo
	if err := json.Unmarshal(body, &info); err != nil {
		return Config{}, false, fmt.Errorf("get %s: decode answer: %w", key, err)
	}
	cfg := Config{
		Entry: Entry{
			Namespace: key.Namespace,
			Group:     key.Group,
			DataID:    key.DataID,
			Type:      info.Type,
			Content:   info.Content,
			MD5:       info.MD5,
		},
		Desc: info.Desc,
	}
	if cfg.MD5 == "" {
		cfg.MD5 = ContentMD5(cfg.Content)
	}
	if info.ModifyTime > 0 {
		cfg.Modified = time.UnixMilli(info.ModifyTime).UTC()
	}
	return cfg, true, nil
}

// v2Result is com.alibaba.nacos.api.model.v2.Result.
type v2Result struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// casConflictCode is ErrorCode.RESOURCE_CONFLICT, what
// ConfigOperationService.publishConfig throws when the CAS update matched
// no row.
const casConflictCode = 20005

// Publish implements ConfigStore with the v2 publish endpoint.
func (c *Client) Publish(ctx context.Context, e Entry, casMD5, desc string) error {
	e.Namespace = NormalizeNamespace(e.Namespace)
	form := url.Values{
		"dataId":      {e.DataID},
		"group":       {e.Group},
		"namespaceId": {e.Namespace},
		"content":     {e.Content},
		"type":        {e.Type},
		"desc":        {desc},
	}
	header := http.Header{}
	if casMD5 != "" {
		header.Set("casMd5", casMD5)
	}
	resp, err := c.do(ctx, request{method: http.MethodPost, path: "/v2/cs/config", form: form, header: header})
	if err != nil {
		return fmt.Errorf("publish %s: %w", e.Key(), err)
	}
	if resp.isCASConflict() {
		return fmt.Errorf("publish %s with casMd5 %s: %w", e.Key(), casMD5, ErrCASConflict)
	}
	if err := resp.v2OK(); err != nil {
		return fmt.Errorf("publish %s: %w", e.Key(), err)
	}
	return nil
}

// Delete implements ConfigStore with the v2 delete endpoint. The server
// answers true whether or not the config existed.
func (c *Client) Delete(ctx context.Context, key Key) error {
	key.Namespace = NormalizeNamespace(key.Namespace)
	q := url.Values{
		"dataId":      {key.DataID},
		"group":       {key.Group},
		"namespaceId": {key.Namespace},
	}
	resp, err := c.do(ctx, request{method: http.MethodDelete, path: "/v2/cs/config", query: q})
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if err := resp.v2OK(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// listPageSize is the page size List asks for.
const listPageSize = 100

// page is com.alibaba.nacos.persistence.model.Page of ConfigInfo.
type page struct {
	TotalCount     int             `json:"totalCount"`
	PageNumber     int             `json:"pageNumber"`
	PagesAvailable int             `json:"pagesAvailable"`
	PageItems      []configAllInfo `json:"pageItems"`
}

// List implements ConfigStore with the v1 accurate search: empty dataId
// and group match every config of the namespace (findConfigInfo4Page). The
// listing's SQL selects no md5 and no desc, so MD5 is computed here.
func (c *Client) List(ctx context.Context, namespace string) ([]Entry, error) {
	namespace = NormalizeNamespace(namespace)
	var out []Entry
	seen := map[Key]bool{}
	for pageNo := 1; ; pageNo++ {
		q := url.Values{
			"search":   {"accurate"},
			"dataId":   {""},
			"group":    {""},
			"tenant":   {namespace},
			"pageNo":   {strconv.Itoa(pageNo)},
			"pageSize": {strconv.Itoa(listPageSize)},
		}
		resp, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/cs/configs", query: q})
		if err != nil {
			return nil, fmt.Errorf("list namespace %q: %w", namespace, err)
		}
		if resp.status != http.StatusOK {
			return nil, fmt.Errorf("list namespace %q: %w", namespace, resp.httpError())
		}
		var p page
		if err := json.Unmarshal(resp.body, &p); err != nil {
			return nil, fmt.Errorf("list namespace %q: decode page %d: %w", namespace, pageNo, err)
		}
		for _, it := range p.PageItems {
			e := Entry{Namespace: namespace, Group: it.Group, DataID: it.DataID, Type: it.Type, Content: it.Content, MD5: ContentMD5(it.Content)}
			// Pages are LIMIT/OFFSET without ORDER BY: a config published
			// while paging can shift rows; keep the first copy.
			if !seen[e.Key()] {
				seen[e.Key()] = true
				out = append(out, e)
			}
		}
		if len(p.PageItems) == 0 || pageNo >= p.PagesAvailable {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key().Less(out[j].Key()) })
	return out, nil
}

// loginAnswer is what UserController.login returns for the nacos and ldap
// auth systems; the RestResult fields cover other auth systems, which
// answer a failed login with HTTP 200 and code 401.
type loginAnswer struct {
	AccessToken string `json:"accessToken"`
	TokenTTL    int64  `json:"tokenTtl"`
	Code        int    `json:"code"`
	Message     string `json:"message"`
}

// accessToken returns a valid token, logging in when there is none or the
// current one is inside its refresh window. Like the Nacos Java client it
// refreshes once 90% of tokenTtl has passed.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	if c.opts.Username == "" {
		return "", nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.opts.Now().Before(c.refreshAt) {
		return c.token, nil
	}
	const path = "/v1/auth/login"
	form := url.Values{"username": {c.opts.Username}, "password": {c.opts.Password}}
	started := c.opts.Now()
	resp, err := c.do(ctx, request{method: http.MethodPost, path: path, form: form, login: true})
	if err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	refused := &AuthError{Status: resp.status, Method: http.MethodPost, Path: c.base.Path + path, Username: c.opts.Username, Login: true}
	if resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden {
		refused.Message = resp.clean(resp.message())
		return "", refused
	}
	if resp.status != http.StatusOK {
		return "", fmt.Errorf("login: %w", resp.httpError())
	}
	var ans loginAnswer
	if err := json.Unmarshal(resp.body, &ans); err != nil {
		return "", fmt.Errorf("login: decode answer: %w", err)
	}
	if ans.AccessToken == "" {
		if ans.Code == http.StatusUnauthorized || ans.Code == http.StatusForbidden {
			refused.Status = ans.Code
			refused.Message = c.sanitize(ans.Message)
			return "", refused
		}
		return "", errors.New("login: the answer has no accessToken")
	}
	ttl := time.Duration(ans.TokenTTL) * time.Second
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	c.token = ans.AccessToken
	c.secretsMu.Lock()
	c.secrets = append(c.secrets, ans.AccessToken)
	c.secretsMu.Unlock()
	c.refreshAt = started.Add(ttl - ttl/10)
	return c.token, nil
}

// dropToken forgets token if it is still the current one, so that the next
// request logs in again.
func (c *Client) dropToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		c.token = ""
	}
}

// request is one logical call; do may send it several times.
type request struct {
	method, path string
	query        url.Values
	form         url.Values
	header       http.Header
	login        bool // the login call: no token, no re-login
}

type response struct {
	method, path string
	status       int
	body         []byte
	clean        func(string) string // the client's sanitize
}

// message extracts a readable reason from an error body: Spring's error
// JSON ("message"), a v2 Result ("data" or "message"), or plain text.
func (r *response) message() string {
	body := bytes.TrimSpace(r.body)
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		for _, k := range []string{"data", "message", "error"} {
			if s, ok := m[k].(string); ok && s != "" {
				return shorten(s)
			}
		}
	}
	return shorten(string(body))
}

func (r *response) v2Code() int {
	var res v2Result
	if json.Unmarshal(r.body, &res) == nil {
		return res.Code
	}
	return 0
}

func (r *response) httpError() error {
	return &HTTPError{Status: r.status, Code: r.v2Code(), Method: r.method, Path: r.path, Message: r.clean(r.message())}
}

// isCASConflict tells a failed compare-and-swap from a server fault: both
// are HTTP 500, the former with Result code 20005 (v2) or, on the v1
// endpoint, the exception text.
func (r *response) isCASConflict() bool {
	if r.status != http.StatusInternalServerError {
		return false
	}
	return r.v2Code() == casConflictCode || bytes.Contains(r.body, []byte("Cas publish fail"))
}

// v2OK checks a v2 Result answer for code 0 and data true.
func (r *response) v2OK() error {
	if r.status != http.StatusOK {
		return r.httpError()
	}
	var res v2Result
	if err := json.Unmarshal(r.body, &res); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	if res.Code != 0 || string(res.Data) != "true" {
		return &HTTPError{Status: r.status, Code: res.Code, Method: r.method, Path: r.path, Message: r.clean(shorten(res.Message + " " + string(res.Data)))}
	}
	return nil
}

// do sends req with authentication, retries and tracing. It returns the
// final answer whatever its status, except that 401/403 become *AuthError
// and exhausted retries on 5xx become *HTTPError.
func (c *Client) do(ctx context.Context, req request) (*response, error) {
	relogged := false
	retries := 0
	for {
		token := ""
		if !req.login {
			t, err := c.accessToken(ctx)
			if err != nil {
				return nil, err
			}
			token = t
		}
		resp, err := c.send(ctx, req, token)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var perm permanentError
			if errors.As(err, &perm) {
				return nil, perm.err
			}
			if retries < c.opts.MaxRetries {
				if err := c.backoff(ctx, &retries, err.Error()); err != nil {
					return nil, err
				}
				continue
			}
			return nil, fmt.Errorf("%s %s: giving up after %d attempts: %w", req.method, c.base.Path+req.path, retries+1, err)
		}
		switch {
		case req.login:
			// The login's own refusal is reported by accessToken.
		case resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden:
			if token != "" && !relogged {
				// The token may have expired early (server restart with
				// another secret, clock skew): log in once more.
				relogged = true
				c.dropToken(token)
				continue
			}
			return nil, &AuthError{Status: resp.status, Method: req.method, Path: resp.path, Username: c.opts.Username, Message: resp.clean(resp.message())}
		}
		if resp.status >= 500 && !resp.isCASConflict() {
			if retries < c.opts.MaxRetries {
				if err := c.backoff(ctx, &retries, fmt.Sprintf("HTTP %d", resp.status)); err != nil {
					return nil, err
				}
				continue
			}
			err := resp.httpError()
			if retries > 0 {
				err = fmt.Errorf("giving up after %d attempts: %w", retries+1, err)
			}
			return nil, err
		}
		return resp, nil
	}
}

func (c *Client) backoff(ctx context.Context, retries *int, why string) error {
	d := c.opts.Backoff << *retries
	if d > c.opts.MaxBackoff || d <= 0 {
		d = c.opts.MaxBackoff
	}
	*retries++
	c.tracef("retry %d/%d in %s after %s", *retries, c.opts.MaxRetries, d, why)
	return c.opts.Sleep(ctx, d)
}

// send makes one attempt.
func (c *Client) send(ctx context.Context, req request, token string) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	u := *c.base
	u.Path += req.path
	u.RawQuery = req.query.Encode()
	var body io.Reader
	if req.form != nil {
		body = strings.NewReader(req.form.Encode())
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u.String(), body)
	if err != nil {
		return nil, permanentError{err}
	}
	for k, vs := range req.header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if req.form != nil {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	c.traceRequest(hr, req, token != "")
	start := time.Now()
	res, err := c.http.Do(hr)
	if err != nil {
		c.tracef("<- %s %s: %s", req.method, u.Path, c.sanitize(err.Error()))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, fmt.Errorf("timeout after %s: %w", c.opts.Timeout, err)
		}
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	c.tracef("<- %s %s: HTTP %d in %s: %s", req.method, u.Path, res.StatusCode, time.Since(start).Round(time.Millisecond), c.sanitize(shorten(string(b))))
	return &response{method: req.method, path: u.Path, status: res.StatusCode, body: b, clean: c.sanitize}, nil
}

// permanentError marks a failure that a retry cannot fix (the request
// could not even be built).
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }

func (c *Client) traceRequest(hr *http.Request, req request, withToken bool) {
	if c.opts.Trace == nil {
		return
	}
	var parts []string
	if withToken {
		parts = append(parts, "Authorization: Bearer ***")
	}
	if v := hr.Header.Get("casMd5"); v != "" {
		parts = append(parts, "casMd5: "+v)
	}
	if req.form != nil {
		keys := make([]string, 0, len(req.form))
		for k := range req.form {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := req.form.Get(k)
			switch {
			case isSecretField(k):
				v = "***"
			case k == "content":
				v = fmt.Sprintf("<%d bytes>", len(v))
			}
			parts = append(parts, k+"="+v)
		}
	}
	c.tracef("-> %s %s %s", hr.Method, c.sanitize(hr.URL.String()), strings.Join(parts, " "))
}

func (c *Client) tracef(format string, args ...any) {
	if c.opts.Trace == nil {
		return
	}
	fmt.Fprintf(c.opts.Trace, "nacos: "+format+"\n", args...)
}

// sanitize removes the password and every token this client was issued
// from s, then applies the pattern redaction: for text that may echo a
// request back (server messages, transport errors, traces).
func (c *Client) sanitize(s string) string {
	if c.opts.Password != "" {
		s = strings.ReplaceAll(s, c.opts.Password, "***")
	}
	c.secretsMu.Lock()
	for _, t := range c.secrets {
		s = strings.ReplaceAll(s, t, "***")
	}
	c.secretsMu.Unlock()
	return redact(s)
}

func isSecretField(k string) bool {
	return strings.EqualFold(k, "password") || strings.EqualFold(k, "accessToken")
}

var secretPatterns = []*regexp.Regexp{
	// "accessToken":"…", accessToken=…, password: …
	regexp.MustCompile(`(?i)("?(?:accessToken|password)"?\s*[:=]\s*"?)([^"&\s,}]+)`),
	regexp.MustCompile(`(?i)(Bearer\s+)([A-Za-z0-9._~+/=-]+)`),
}

// redact hides accessToken and password values and bearer tokens in s.
func redact(s string) string {
	for _, re := range secretPatterns {
		s = re.ReplaceAllString(s, "${1}***")
	}
	return s
}

// shorten keeps error and trace text to one readable line.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 300
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
