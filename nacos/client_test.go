package nacos

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govctl/govctl/internal/nacosfake"
	rnacos "github.com/govctl/govctl/render/nacos"
)

const (
	testUser     = "govctl-ci"
	testPassword = "pa55-w0rd-never-printed"
)

// sleeps records the waits a client asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// clock is a settable clock shared by a fake server and a client.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newAuthFake starts a fake that requires authentication with the test
// user.
func newAuthFake(t *testing.T, opts nacosfake.Options) *nacosfake.Server {
	t.Helper()
	opts.RequireAuth = true
	opts.Users = map[string]string{testUser: testPassword}
	return nacosfake.New(t, opts)
}

// withAuth adds the test user's credentials to opts.
func withAuth(opts ClientOptions) ClientOptions {
	opts.Username, opts.Password = testUser, testPassword
	return opts
}

// newTestClient returns a client of fake whose retries do not wait.
func newTestClient(t *testing.T, fake *nacosfake.Server, opts ClientOptions) (*Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	if opts.Sleep == nil {
		opts.Sleep = sl.sleep
	}
	c, err := NewClient(fake.Addr(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

func mustEntry(t *testing.T, ns, group, dataID, typ, content string) Entry {
	t.Helper()
	e, err := rnacos.NewEntry(ns, group, dataID, typ, content)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestClientPublishGetRoundTrip(t *testing.T) {
	fake := newAuthFake(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, withAuth(ClientOptions{}))
	ctx := context.Background()
	e := mustEntry(t, "shop-dev", "DEFAULT_GROUP", "orders.yaml", rnacos.TypeYAML, "db:\n  maxOpen: 50\n")

	if err := c.Publish(ctx, e, ExpectAbsent, ManagedDesc(e.MD5)); err != nil {
		t.Fatal(err)
	}
	got, found, err := c.Get(ctx, e.Key())
	if err != nil || !found {
		t.Fatalf("Get: found=%v err=%v", found, err)
	}
	if got.MD5 != e.MD5 || got.Content != e.Content || got.Type != rnacos.TypeYAML || got.Desc != ManagedDesc(e.MD5) {
		t.Fatalf("read back %+v, want %+v with desc %q", got, e, ManagedDesc(e.MD5))
	}
	if live, _ := fake.Get("shop-dev", "DEFAULT_GROUP", "orders.yaml"); live.MD5 != e.MD5 {
		t.Fatalf("server md5 %s, entry md5 %s", live.MD5, e.MD5)
	}

	list, err := c.List(ctx, "shop-dev")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0] != e {
		t.Fatalf("List = %+v, want [%+v]", list, e)
	}

	if err := c.Delete(ctx, e.Key()); err != nil {
		t.Fatal(err)
	}
	if _, found, err := c.Get(ctx, e.Key()); err != nil || found {
		t.Fatalf("after delete: found=%v err=%v", found, err)
	}
}

func TestClientGetOfMissingConfigIsNotFound(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	_, found, err := c.Get(context.Background(), Key{Namespace: "dev", Group: "G", DataID: "nope.yaml"})
	if err != nil || found {
		t.Fatalf("found=%v err=%v", found, err)
	}
}

func TestClientNormalisesPublicBecauseTheDetailViewDoesNot(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, ClientOptions{})
	ctx := context.Background()
	e := Entry{Namespace: "public", Group: "G", DataID: "a.yaml", Type: rnacos.TypeYAML, Content: "a: 1\n", MD5: ContentMD5("a: 1\n")}
	if err := c.Publish(ctx, e, "", ""); err != nil {
		t.Fatal(err)
	}
	// The server itself answers a detail view for tenant=public with
	// nothing: the client must send "".
	if _, found, err := c.Get(ctx, Key{Namespace: "public", Group: "G", DataID: "a.yaml"}); err != nil || !found {
		t.Fatalf("found=%v err=%v", found, err)
	}
	for _, r := range fake.Requests() {
		if r.Params.Get("tenant") == "public" || r.Params.Get("namespaceId") == "public" {
			t.Fatalf("request %s %s sent namespace \"public\"", r.Method, r.Path)
		}
	}
}

func TestClientSendsCasMd5AsHeaderAndTokenNeverInURL(t *testing.T) {
	fake := newAuthFake(t, nacosfake.Options{})
	c, _ := newTestClient(t, fake, withAuth(ClientOptions{}))
	ctx := context.Background()
	e := mustEntry(t, "dev", "G", "a.yaml", rnacos.TypeYAML, "a: 1\n")
	if err := c.Publish(ctx, e, ExpectAbsent, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Get(ctx, e.Key()); err != nil {
		t.Fatal(err)
	}
	var publishes int
	for _, r := range fake.Requests() {
		if strings.Contains(r.Query, "accessToken") || strings.Contains(r.Query, "password") || strings.Contains(r.Query, testPassword) {
			t.Errorf("%s %s has a secret in its URL: %s", r.Method, r.Path, r.Query)
		}
		if r.Path == "/v2/cs/config" && r.Method == http.MethodPost {
			publishes++
			if r.CasMD5 != ExpectAbsent {
				t.Errorf("casMd5 header = %q", r.CasMD5)
			}
			if _, ok := r.Params["casMd5"]; ok {
				t.Errorf("casMd5 sent as a parameter; the server reads only the header")
			}
		}
	}
	if publishes != 1 {
		t.Fatalf("%d publishes", publishes)
	}
}

func TestClientRefreshesTheTokenBeforeItExpires(t *testing.T) {
	clk := newClock()
	fake := newAuthFake(t, nacosfake.Options{TokenTTL: 100 * time.Second, Now: clk.Now})
	c, _ := newTestClient(t, fake, withAuth(ClientOptions{Now: clk.Now}))
	ctx := context.Background()
	key := Key{Namespace: "dev", Group: "G", DataID: "a.yaml"}
	logins := func() int { return fake.Count(http.MethodPost, "/v1/auth/login") }

	if _, _, err := c.Get(ctx, key); err != nil {
		t.Fatal(err)
	}
	clk.advance(50 * time.Second)
	if _, _, err := c.Get(ctx, key); err != nil {
		t.Fatal(err)
	}
	if n := logins(); n != 1 {
		t.Fatalf("%d logins within the token's life, want 1", n)
	}
	clk.advance(45 * time.Second) // 95s: inside the last 10% of tokenTtl
	if _, _, err := c.Get(ctx, key); err != nil {
		t.Fatal(err)
	}
	if n := logins(); n != 2 {
		t.Fatalf("%d logins, want a refresh before expiry", n)
	}
	for _, r := range fake.Requests() {
		if r.Status == http.StatusForbidden {
			t.Fatalf("a request was refused: the token was not refreshed in time")
		}
	}
}

func TestClientLogsInAgainOnceWhenTheServerRejectsItsToken(t *testing.T) {
	serverClock := newClock()
	fake := newAuthFake(t, nacosfake.Options{TokenTTL: time.Hour, Now: serverClock.Now})
	c, _ := newTestClient(t, fake, withAuth(ClientOptions{})) // client on the real clock
	ctx := context.Background()
	key := Key{Namespace: "dev", Group: "G", DataID: "a.yaml"}
	if _, _, err := c.Get(ctx, key); err != nil {
		t.Fatal(err)
	}
	serverClock.advance(2 * time.Hour) // the server thinks the token expired
	if _, _, err := c.Get(ctx, key); err != nil {
		t.Fatalf("after the token expired server-side: %v", err)
	}
	if n := fake.Count(http.MethodPost, "/v1/auth/login"); n != 2 {
		t.Fatalf("%d logins, want 2", n)
	}
}

func TestAuthErrorsAreClearAndCarryNoSecret(t *testing.T) {
	ctx := context.Background()
	key := Key{Namespace: "dev", Group: "G", DataID: "a.yaml"}

	t.Run("no credentials", func(t *testing.T) {
		fake := newAuthFake(t, nacosfake.Options{})
		c, err := NewClient(fake.Addr(), ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.Get(ctx, key)
		var ae *AuthError
		if !errors.As(err, &ae) {
			t.Fatalf("err = %v (%T), want *AuthError", err, err)
		}
		if ae.Status != http.StatusForbidden || ae.Login || ae.Username != "" {
			t.Fatalf("%+v", ae)
		}
		if !strings.Contains(err.Error(), "requires authentication and no username was given") ||
			!strings.Contains(err.Error(), "user not found!") {
			t.Fatalf("unclear error: %v", err)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		fake := newAuthFake(t, nacosfake.Options{})
		const wrong = "wr0ng-s3cret-value"
		var trace bytes.Buffer
		c, _ := newTestClient(t, fake, ClientOptions{Username: testUser, Password: wrong, Trace: &trace})
		_, _, err := c.Get(ctx, key)
		var ae *AuthError
		if !errors.As(err, &ae) || !ae.Login || ae.Status != http.StatusForbidden {
			t.Fatalf("err = %v, want a refused login", err)
		}
		if !strings.Contains(err.Error(), "check the username and password") {
			t.Fatalf("unclear error: %v", err)
		}
		for _, text := range []string{err.Error(), trace.String()} {
			if strings.Contains(text, wrong) {
				t.Fatalf("the password leaked: %s", text)
			}
		}
		if fake.Count(http.MethodPost, "/v1/auth/login") != 1 {
			t.Fatalf("a refused login was retried")
		}
	})

	t.Run("trace of a working session", func(t *testing.T) {
		fake := newAuthFake(t, nacosfake.Options{})
		var trace bytes.Buffer
		c, _ := newTestClient(t, fake, withAuth(ClientOptions{Trace: &trace}))
		e := mustEntry(t, "dev", "G", "a.yaml", rnacos.TypeYAML, "a: 1\n")
		if err := c.Publish(ctx, e, ExpectAbsent, ""); err != nil {
			t.Fatal(err)
		}
		if trace.Len() == 0 {
			t.Fatal("no trace written")
		}
		token := c.token
		if token == "" {
			t.Fatal("no token")
		}
		if strings.Contains(trace.String(), testPassword) || strings.Contains(trace.String(), token) {
			t.Fatalf("a secret leaked into the trace:\n%s", trace.String())
		}
		if !strings.Contains(trace.String(), "password=***") || !strings.Contains(trace.String(), "Bearer ***") {
			t.Fatalf("trace does not show redaction:\n%s", trace.String())
		}
	})
}

func TestRetriesOn5xxAreBoundedWithExponentialBackoff(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	fake.FailMatching(http.StatusInternalServerError, -1, nil)
	c, sl := newTestClient(t, fake, ClientOptions{Backoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	_, _, err := c.Get(context.Background(), Key{Namespace: "dev", Group: "G", DataID: "a.yaml"})
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v, want HTTP 500", err)
	}
	if n := len(fake.Requests()); n != 4 {
		t.Fatalf("%d attempts, want 1 + 3 retries", n)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	got := sl.all()
	if len(got) != len(want) {
		t.Fatalf("sleeps %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sleeps %v, want %v", got, want)
		}
	}
	if !strings.Contains(err.Error(), "giving up after 4 attempts") {
		t.Fatalf("error does not say it retried: %v", err)
	}
}

func TestATransient5xxIsRetriedAway(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	fake.FailNth(1, http.StatusServiceUnavailable)
	fake.FailNth(1, http.StatusBadGateway) // the second request
	c, sl := newTestClient(t, fake, ClientOptions{})
	if _, _, err := c.Get(context.Background(), Key{Namespace: "dev", Group: "G", DataID: "a.yaml"}); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Requests()); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
	if n := len(sl.all()); n != 2 {
		t.Fatalf("%d sleeps, want 2", n)
	}
}

func TestNoRetryOn4xx(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	c, sl := newTestClient(t, fake, ClientOptions{})
	e := mustEntry(t, "dev", "G", "a.yaml", rnacos.TypeYAML, "a: 1\n")
	err := c.Publish(context.Background(), e, "", strings.Repeat("d", 129)) // desc over 128
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusBadRequest || he.Code != 20002 {
		t.Fatalf("err = %v, want HTTP 400 code 20002", err)
	}
	if !strings.Contains(err.Error(), "too long desc") {
		t.Fatalf("error lost the server's reason: %v", err)
	}
	if n := len(fake.Requests()); n != 1 || len(sl.all()) != 0 {
		t.Fatalf("%d attempts and %d sleeps, want 1 and 0", n, len(sl.all()))
	}
}

func TestCASFailureIsTypedAndNotRetried(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	fake.Put("dev", "G", "a.yaml", "yaml", "a: 1\n", "")
	c, sl := newTestClient(t, fake, ClientOptions{})
	e := mustEntry(t, "dev", "G", "a.yaml", rnacos.TypeYAML, "a: 2\n")
	err := c.Publish(context.Background(), e, ContentMD5("something else"), "")
	if !errors.Is(err, ErrCASConflict) {
		t.Fatalf("err = %v, want ErrCASConflict", err)
	}
	if n := fake.Count(http.MethodPost, "/v2/cs/config"); n != 1 || len(sl.all()) != 0 {
		t.Fatalf("%d publishes, %d sleeps: a CAS failure (HTTP 500 code 20005) must not be retried", n, len(sl.all()))
	}
	if live, _ := fake.Get("dev", "G", "a.yaml"); live.Content != "a: 1\n" {
		t.Fatalf("content overwritten: %q", live.Content)
	}
}

func TestTimeoutsAreRetried(t *testing.T) {
	fake := nacosfake.New(t, nacosfake.Options{})
	var first atomic.Bool
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	fake.OnRequest(func(nacosfake.Request) {
		if first.CompareAndSwap(false, true) {
			select { // hold the first request past the client's timeout
			case <-release:
			case <-time.After(2 * time.Second):
			}
		}
	})
	c, sl := newTestClient(t, fake, ClientOptions{Timeout: 100 * time.Millisecond})
	if _, _, err := c.Get(context.Background(), Key{Namespace: "dev", Group: "G", DataID: "a.yaml"}); err != nil {
		t.Fatalf("after one timeout: %v", err)
	}
	if n := len(sl.all()); n != 1 {
		t.Fatalf("%d retries, want 1", n)
	}
}

func TestNewClientAddresses(t *testing.T) {
	tests := map[string]string{
		"nacos.shop:8848":              "http://nacos.shop:8848/nacos",
		"http://nacos.shop:8848/":      "http://nacos.shop:8848/nacos",
		"https://nacos.shop/custom/":   "https://nacos.shop/custom",
		"http://10.0.0.1:8848/nacos?x": "http://10.0.0.1:8848/nacos",
	}
	for in, want := range tests {
		c, err := NewClient(in, ClientOptions{})
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := c.base.String(); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "ftp://x", "http://user:pw@host:8848"} {
		if _, err := NewClient(bad, ClientOptions{}); err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), "pw@") {
			t.Errorf("error repeats the credentials: %v", err)
		}
	}
}

func TestAForbiddenRequestIsRetriedOnceWithAFreshTokenThenReported(t *testing.T) {
	fake := newAuthFake(t, nacosfake.Options{})
	// Every config request is refused, as for a user without permission.
	fake.FailMatching(http.StatusForbidden, -1, func(r nacosfake.Request) bool { return r.Path != "/v1/auth/login" })
	c, sl := newTestClient(t, fake, withAuth(ClientOptions{}))
	_, _, err := c.Get(context.Background(), Key{Namespace: "dev", Group: "G", DataID: "a.yaml"})
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Login || ae.Username != testUser || ae.Status != http.StatusForbidden {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "is not allowed to do this") {
		t.Fatalf("unclear error: %v", err)
	}
	if n := fake.Count(http.MethodPost, "/v1/auth/login"); n != 2 {
		t.Fatalf("%d logins, want 2 (one fresh token, no loop)", n)
	}
	if n := fake.Count(http.MethodGet, "/v1/cs/configs"); n != 2 || len(sl.all()) != 0 {
		t.Fatalf("%d attempts, %d backoffs: a 403 is not a retryable failure", n, len(sl.all()))
	}
	for _, secret := range append([]string{testPassword}, c.secrets...) {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("a secret leaked into %q", err.Error())
		}
	}
}
