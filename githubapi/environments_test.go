package githubapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"
)

const testToken = "ghp_secretTOKENvalue1234"

// fakeGitHub is an in-process GitHub REST API: handlers keyed by
// "METHOD /escaped/path", recording every request with its body.
type fakeGitHub struct {
	t        *testing.T
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc
	requests []recorded
}

type recorded struct {
	Method, Path, Query, Body, Auth string
}

func newFakeGitHub(t *testing.T) (*fakeGitHub, *gh.Client) {
	t.Helper()
	f := &fakeGitHub{t: t, handlers: map[string]http.HandlerFunc{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := r.Method + " " + r.URL.EscapedPath()
		f.mu.Lock()
		f.requests = append(f.requests, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, strings.TrimSpace(string(body)), r.Header.Get("Authorization")})
		h := f.handlers[key]
		f.mu.Unlock()
		if h == nil {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"message":"Not Found (fake has no handler for %s)"}`, key)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	client := gh.NewClient(nil).WithAuthToken(testToken)
	base, _ := url.Parse(srv.URL + "/")
	client.BaseURL = base
	return f, client
}

func (f *fakeGitHub) handle(key string, status int, body string) {
	f.handlers[key] = func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// writes returns the non-GET requests, in order.
func (f *fakeGitHub) writes() []recorded {
	var out []recorded
	for _, r := range f.requests {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

func TestApplyEnvironmentsComposesTwoApprovalsFromChainedEnvironments(t *testing.T) {
	f, client := newFakeGitHub(t)
	f.handle("GET /users/alice", 200, `{"login":"alice","id":101}`)
	f.handle("GET /users/bob", 200, `{"login":"bob","id":102}`)
	f.handle("GET /orgs/acme/teams/sre", 200, `{"id":501,"slug":"sre","members_count":4}`)
	for _, env := range []string{"prod", "prod-approval-2"} {
		f.handle("PUT /repos/acme/shop/environments/"+env, 200, `{"name":"`+env+`"}`)
		f.handle("GET /repos/acme/shop/environments/"+env+"/deployment-branch-policies", 200,
			`{"total_count":2,"branch_policies":[{"id":7,"name":"old/*","type":"branch"},{"id":8,"name":"main","type":"branch"}]}`)
		f.handle("DELETE /repos/acme/shop/environments/"+env+"/deployment-branch-policies/7", 204, ``)
		f.handle("POST /repos/acme/shop/environments/"+env+"/deployment-branch-policies", 200, `{"id":9,"name":"release/*","type":"branch"}`)
	}

	report, err := ApplyEnvironments(context.Background(), client, "acme/shop", []EnvironmentProtection{{
		Name:              "prod",
		Approvals:         2,
		Reviewers:         []string{"alice", "bob", "acme/sre", "Alice"},
		WaitTimer:         90 * time.Second,
		Branches:          []string{"main", "release/*"},
		PreventSelfReview: true,
	}}, EnvironmentOptions{})
	if err != nil {
		t.Fatal(err)
	}

	reviewers := `[{"type":"User","id":101},{"type":"User","id":102},{"type":"Team","id":501}]`
	policy := `{"protected_branches":false,"custom_branch_policies":true}`
	want := []recorded{
		{Method: "PUT", Path: "/repos/acme/shop/environments/prod",
			Body: `{"wait_timer":2,"reviewers":` + reviewers + `,"can_admins_bypass":false,"deployment_branch_policy":` + policy + `,"prevent_self_review":true}`},
		{Method: "DELETE", Path: "/repos/acme/shop/environments/prod/deployment-branch-policies/7"},
		{Method: "POST", Path: "/repos/acme/shop/environments/prod/deployment-branch-policies", Body: `{"name":"release/*","type":"branch"}`},
		{Method: "PUT", Path: "/repos/acme/shop/environments/prod-approval-2",
			Body: `{"wait_timer":0,"reviewers":` + reviewers + `,"can_admins_bypass":false,"deployment_branch_policy":` + policy + `,"prevent_self_review":true}`},
		{Method: "DELETE", Path: "/repos/acme/shop/environments/prod-approval-2/deployment-branch-policies/7"},
		{Method: "POST", Path: "/repos/acme/shop/environments/prod-approval-2/deployment-branch-policies", Body: `{"name":"release/*","type":"branch"}`},
	}
	got := f.writes()
	if len(got) != len(want) {
		t.Fatalf("got %d writes, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Method != want[i].Method || got[i].Path != want[i].Path || got[i].Body != want[i].Body {
			t.Errorf("write %d:\n got  %s %s %s\n want %s %s %s", i, got[i].Method, got[i].Path, got[i].Body, want[i].Method, want[i].Path, want[i].Body)
		}
		if got[i].Auth != "Bearer "+testToken {
			t.Errorf("write %d sent Authorization %q", i, got[i].Auth)
		}
	}
	for _, r := range f.requests {
		if strings.HasSuffix(r.Path, "/deployment-branch-policies") && r.Method == "GET" && r.Query != "per_page=100&page=1" {
			t.Errorf("branch policies listed with query %q", r.Query)
		}
	}

	if len(report.Environments) != 1 {
		t.Fatalf("report: %+v", report)
	}
	e := report.Environments[0]
	if strings.Join(e.GitHubEnvironments, ",") != "prod,prod-approval-2" || e.WaitTimer != 2*time.Minute {
		t.Errorf("report entry: %+v", e)
	}
	text := report.String()
	for _, s := range []string{"ONE approval from any of alice, bob, acme/sre", "prod → prod-approval-2", "govctl approvals verify", "2 DISTINCT", "administrators cannot bypass"} {
		if !strings.Contains(text, s) {
			t.Errorf("report lacks %q:\n%s", s, text)
		}
	}
}

func TestApplyEnvironmentsSingleApprovalUsesProtectedBranches(t *testing.T) {
	f, client := newFakeGitHub(t)
	f.handle("GET /users/carol", 200, `{"login":"carol","id":7}`)
	f.handle("PUT /repos/acme/shop/environments/staging", 200, `{"name":"staging"}`)
	f.handle("PUT /repos/acme/shop/environments/dev", 200, `{"name":"dev"}`)

	report, err := ApplyEnvironments(context.Background(), client, "acme/shop", []EnvironmentProtection{
		{Name: "staging", Approvals: 1, Reviewers: []string{"carol"}},
		{Name: "dev"},
	}, EnvironmentOptions{AllowAdminBypass: true})
	if err != nil {
		t.Fatal(err)
	}
	got := f.writes()
	want := []string{
		`PUT /repos/acme/shop/environments/staging {"wait_timer":0,"reviewers":[{"type":"User","id":7}],"can_admins_bypass":true,"deployment_branch_policy":{"protected_branches":true,"custom_branch_policies":false},"prevent_self_review":false}`,
		`PUT /repos/acme/shop/environments/dev {"wait_timer":0,"reviewers":null,"can_admins_bypass":true,"deployment_branch_policy":{"protected_branches":true,"custom_branch_policies":false},"prevent_self_review":false}`,
	}
	if len(got) != len(want) {
		t.Fatalf("writes: %+v", got)
	}
	for i := range want {
		if s := got[i].Method + " " + got[i].Path + " " + got[i].Body; s != want[i] {
			t.Errorf("write %d:\n got  %s\n want %s", i, s, want[i])
		}
	}
	if c := report.Environments[0].Composed; len(c) != 0 {
		t.Errorf("one approval needs no composition, got %q", c)
	}
	if !strings.Contains(report.String(), "administrators CAN bypass") {
		t.Errorf("report hides the admin bypass:\n%s", report)
	}
}

func TestApplyEnvironmentsUnknownUserChangesNothing(t *testing.T) {
	f, client := newFakeGitHub(t)
	f.handle("GET /users/alice", 200, `{"login":"alice","id":101}`)
	f.handle("GET /users/bobb", 404, `{"message":"Not Found"}`)
	_, err := ApplyEnvironments(context.Background(), client, "acme/shop", []EnvironmentProtection{
		{Name: "staging", Approvals: 1, Reviewers: []string{"alice"}},
		{Name: "prod", Approvals: 1, Reviewers: []string{"alice", "bobb"}},
	}, EnvironmentOptions{})
	if !errors.Is(err, ErrUnknownReviewer) {
		t.Fatalf("err = %v, want ErrUnknownReviewer", err)
	}
	for _, s := range []string{`"prod"`, `"bobb" does not exist`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if w := f.writes(); len(w) != 0 {
		t.Errorf("wrote despite the unknown reviewer: %+v", w)
	}
}

func TestApplyEnvironmentsUnknownTeam(t *testing.T) {
	_, client := newFakeGitHub(t)
	_, err := ApplyEnvironments(context.Background(), client, "acme/shop", []EnvironmentProtection{
		{Name: "prod", Approvals: 1, Reviewers: []string{"acme/nope"}},
	}, EnvironmentOptions{})
	if !errors.Is(err, ErrUnknownReviewer) || !strings.Contains(err.Error(), `team "nope" not found in organization "acme"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestApplyEnvironmentsRejectsMoreThanSixReviewers(t *testing.T) {
	f, client := newFakeGitHub(t)
	_, err := ApplyEnvironments(context.Background(), client, "acme/shop", []EnvironmentProtection{
		{Name: "prod", Approvals: 2, Reviewers: []string{"a", "b", "c", "d", "e", "f", "g"}},
	}, EnvironmentOptions{})
	if !errors.Is(err, ErrTooManyReviewers) || !strings.Contains(err.Error(), `"prod"`) || !strings.Contains(err.Error(), "team") {
		t.Fatalf("err = %v", err)
	}
	if len(f.requests) != 0 {
		t.Errorf("validation made API calls: %+v", f.requests)
	}
}

func TestApplyEnvironmentsRejectsFewerReviewersThanApprovals(t *testing.T) {
	f, client := newFakeGitHub(t)
	f.handle("GET /users/alice", 200, `{"login":"alice","id":1}`)
	f.handle("GET /orgs/acme/teams/duo", 200, `{"id":2,"members_count":2}`)
	_, err := ApplyEnvironments(context.Background(), client, "acme/shop", []EnvironmentProtection{
		{Name: "prod", Approvals: 4, Reviewers: []string{"alice", "acme/duo"}},
	}, EnvironmentOptions{})
	if !errors.Is(err, ErrNotEnoughReviewers) || !strings.Contains(err.Error(), "at most 3 distinct approvers") {
		t.Fatalf("err = %v", err)
	}
	if w := f.writes(); len(w) != 0 {
		t.Errorf("wrote: %+v", w)
	}

	_, err = ApplyEnvironments(context.Background(), client, "acme/shop", []EnvironmentProtection{
		{Name: "prod", Approvals: 2},
	}, EnvironmentOptions{})
	if !errors.Is(err, ErrNotEnoughReviewers) {
		t.Fatalf("no reviewers: err = %v", err)
	}
}

func TestApplyEnvironmentsForbiddenSaysWhichPermission(t *testing.T) {
	f, client := newFakeGitHub(t)
	f.handle("GET /users/alice", 200, `{"login":"alice","id":1}`)
	f.handle("PUT /repos/acme/shop/environments/prod", 403, `{"message":"Resource not accessible by integration"}`)
	_, err := ApplyEnvironments(context.Background(), client, "acme/shop", []EnvironmentProtection{
		{Name: "prod", Approvals: 1, Reviewers: []string{"alice"}},
	}, EnvironmentOptions{})
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("err = %v, want ErrForbidden", err)
	}
	msg := err.Error()
	for _, s := range []string{`"prod"`, "Administration", "Resource not accessible by integration"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q lacks %q", msg, s)
		}
	}
	if strings.Contains(msg, testToken) {
		t.Errorf("error leaks the token: %s", msg)
	}
}

func TestApplyEnvironmentsValidation(t *testing.T) {
	tests := []struct {
		name string
		envs []EnvironmentProtection
		want string
	}{
		{"reviewers without approvals", []EnvironmentProtection{{Name: "prod", Reviewers: []string{"a"}}}, "approvals is 0"},
		{"bad team", []EnvironmentProtection{{Name: "prod", Approvals: 1, Reviewers: []string{"acme/"}}}, "org/team-slug"},
		{"wait too long", []EnvironmentProtection{{Name: "prod", WaitTimer: 31 * 24 * time.Hour}}, "30 days"},
		{"clash", []EnvironmentProtection{{Name: "prod", Approvals: 2, Reviewers: []string{"a", "b"}}, {Name: "prod-approval-2"}}, "clashes"},
		{"duplicate", []EnvironmentProtection{{Name: "prod"}, {Name: "PROD"}}, "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, client := newFakeGitHub(t)
			_, err := ApplyEnvironments(context.Background(), client, "acme/shop", tt.envs, EnvironmentOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if len(f.requests) != 0 {
				t.Errorf("made API calls: %+v", f.requests)
			}
		})
	}
}

func review(state, login string, id int64, envs ...string) string {
	var e []string
	for _, n := range envs {
		e = append(e, fmt.Sprintf(`{"id":1,"name":%q}`, n))
	}
	return fmt.Sprintf(`{"state":%q,"comment":"","user":{"login":%q,"id":%d},"environments":[%s]}`, state, login, id, strings.Join(e, ","))
}

func TestVerifyDistinctApprovals(t *testing.T) {
	envs := []string{"prod", "prod-approval-2"}
	tests := []struct {
		name    string
		reviews []string
		want    string // substring of the error; empty for success
	}{
		{"two people", []string{review("approved", "alice", 1, "prod"), review("approved", "bob", 2, "prod-approval-2")}, ""},
		{"one person approved both gates", []string{review("approved", "alice", 1, "prod"), review("approved", "alice", 1, "prod-approval-2")}, "1 distinct approver(s) found, 2 required"},
		{"renamed login is still one person", []string{review("approved", "alice", 1, "prod"), review("approved", "alice-new", 1, "PROD-approval-2")}, "1 distinct"},
		{"second gate not approved", []string{review("approved", "alice", 1, "prod"), review("rejected", "bob", 2, "prod-approval-2")}, "no approval recorded for prod-approval-2"},
		{"one review covering both gates", []string{review("approved", "alice", 1, "prod", "prod-approval-2"), review("approved", "bob", 2, "staging")}, "1 distinct"},
		{"nobody", nil, "nobody approved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, client := newFakeGitHub(t)
			f.handle("GET /repos/acme/shop/actions/runs/42/approvals", 200, "["+strings.Join(tt.reviews, ",")+"]")
			err := VerifyDistinctApprovals(context.Background(), client, "acme/shop", 42, envs, 2)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ae *ApprovalError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an *ApprovalError mentioning %q", err, tt.want)
			}
		})
	}
}

func TestVerifyDistinctApprovalsErrors(t *testing.T) {
	f, client := newFakeGitHub(t)
	f.handle("GET /repos/acme/shop/actions/runs/42/approvals", 403, `{"message":"Resource not accessible by integration"}`)
	err := VerifyDistinctApprovals(context.Background(), client, "acme/shop", 42, []string{"prod", "prod-approval-2"}, 2)
	if err == nil || !strings.Contains(err.Error(), "actions: read") || strings.Contains(err.Error(), testToken) {
		t.Fatalf("err = %v", err)
	}
	if err := VerifyDistinctApprovals(context.Background(), client, "acme/shop", 42, []string{"prod"}, 2); err == nil {
		t.Fatal("want an error when fewer environments than approvals are given")
	}
}
