package githubapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/google/go-github/v60/github"
)

// fakeIssues is an in-process GitHub API holding one pull request's issue
// comments, paginated with Link headers as GitHub does.
type fakeIssues struct {
	mu       sync.Mutex
	comments []*github.IssueComment
	nextID   int64
	// user answers GET /user; empty means 403 as for an installation token.
	user string
	// failWith, when set, answers every comments request with this status.
	failWith int
	listed   []string // query strings of list requests
	edits    int
	creates  int
}

const testMarker = "<!-- govctl:plan:shop -->"

func newFakeIssues(t *testing.T, f *fakeIssues) *github.Client {
	t.Helper()
	if f.nextID == 0 {
		f.nextID = 1000
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		if f.user == "" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
			return
		}
		fmt.Fprintf(w, `{"login":%q,"id":1,"type":"User"}`, f.user)
	})
	mux.HandleFunc("GET /repos/acme/shop/issues/7/comments", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.listed = append(f.listed, r.URL.RawQuery)
		if f.failWith != 0 {
			w.WriteHeader(f.failWith)
			fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
			return
		}
		perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		if perPage == 0 {
			perPage = 30
		}
		perPage = min(perPage, 2) // small pages so that tests exercise pagination
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		start := min((page-1)*perPage, len(f.comments))
		end := min(start+perPage, len(f.comments))
		if end < len(f.comments) {
			next := *r.URL
			q := next.Query()
			q.Set("page", strconv.Itoa(page+1))
			next.RawQuery = q.Encode()
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, r.Host, next.RequestURI()))
		}
		json.NewEncoder(w).Encode(f.comments[start:end])
	})
	mux.HandleFunc("POST /repos/acme/shop/issues/7/comments", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.failWith != 0 {
			w.WriteHeader(f.failWith)
			return
		}
		var in github.IssueComment
		json.NewDecoder(r.Body).Decode(&in)
		f.nextID++
		c := &github.IssueComment{ID: github.Int64(f.nextID), Body: in.Body,
			User:    &github.User{Login: github.String("github-actions[bot]"), Type: github.String("Bot")},
			HTMLURL: github.String(fmt.Sprintf("https://github.com/acme/shop/pull/7#issuecomment-%d", f.nextID))}
		f.comments = append(f.comments, c)
		f.creates++
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(c)
	})
	mux.HandleFunc("PATCH /repos/acme/shop/issues/comments/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		var in github.IssueComment
		json.NewDecoder(r.Body).Decode(&in)
		for _, c := range f.comments {
			if c.GetID() == id {
				c.Body = in.Body
				f.edits++
				json.NewEncoder(w).Encode(c)
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	client := github.NewClient(nil).WithAuthToken("ghs_secretTOKEN")
	client.BaseURL, _ = url.Parse(srv.URL + "/")
	return client
}

func comment(id int64, login, typ, body string) *github.IssueComment {
	return &github.IssueComment{ID: github.Int64(id), Body: github.String(body),
		User: &github.User{Login: github.String(login), Type: github.String(typ)}}
}

func TestUpsertCommentCreatesThenUpdatesTheSameComment(t *testing.T) {
	f := &fakeIssues{}
	client := newFakeIssues(t, f)
	ctx := context.Background()
	opts := CommentOptions{Author: "github-actions[bot]"}

	first, err := UpsertComment(ctx, client, "acme/shop", 7, testMarker, "## Plan\n1 change", opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Action != CommentCreated || first.ID == 0 {
		t.Fatalf("first run: %+v", first)
	}
	if got := f.comments[0].GetBody(); got != testMarker+"\n## Plan\n1 change" {
		t.Errorf("created body = %q", got)
	}

	second, err := UpsertComment(ctx, client, "acme/shop", 7, testMarker, "## Plan\n2 changes", opts)
	if err != nil {
		t.Fatal(err)
	}
	if second.Action != CommentUpdated || second.ID != first.ID {
		t.Fatalf("second run: %+v, want an update of %d", second, first.ID)
	}
	if len(f.comments) != 1 || f.comments[0].GetBody() != testMarker+"\n## Plan\n2 changes" {
		t.Errorf("comments after update: %d, body %q", len(f.comments), f.comments[0].GetBody())
	}

	third, err := UpsertComment(ctx, client, "acme/shop", 7, testMarker, "## Plan\n2 changes", opts)
	if err != nil {
		t.Fatal(err)
	}
	if third.Action != CommentUnchanged || f.edits != 1 {
		t.Errorf("identical body: %+v, edits %d", third, f.edits)
	}
}

func TestUpsertCommentFindsMarkerOnPageThree(t *testing.T) {
	f := &fakeIssues{comments: []*github.IssueComment{
		comment(1, "alice", "User", "LGTM"),
		comment(2, "bob", "User", "nit: rename"),
		comment(3, "github-actions[bot]", "Bot", "<!-- govctl:plan:other -->\nplan for another platform"),
		comment(4, "carol", "User", "why?"),
		comment(5, "github-actions[bot]", "Bot", testMarker+"\nold plan"),
	}}
	client := newFakeIssues(t, f)
	res, err := UpsertComment(context.Background(), client, "acme/shop", 7, testMarker, "new plan", CommentOptions{Author: "github-actions[bot]"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != CommentUpdated || res.ID != 5 {
		t.Fatalf("result %+v, want comment 5 updated", res)
	}
	if len(f.listed) != 3 {
		t.Errorf("listed %d pages (%q), want 3", len(f.listed), f.listed)
	}
	if !strings.Contains(f.listed[0], "per_page=100") || !strings.Contains(f.listed[2], "page=3") {
		t.Errorf("list queries %q", f.listed)
	}
	if f.comments[2].GetBody() != "<!-- govctl:plan:other -->\nplan for another platform" {
		t.Errorf("another platform's comment was touched")
	}
}

func TestUpsertCommentLeavesForeignCommentsAlone(t *testing.T) {
	quoted := "> " + testMarker + "\n> ## Plan\n> 1 change\nwhy does it change this?"
	fenced := "```\n" + testMarker + "\n## Plan\n```"
	mention := "I think " + testMarker + " is wrong"
	copied := testMarker + "\n## Plan (pasted by a human)"
	f := &fakeIssues{comments: []*github.IssueComment{
		comment(1, "alice", "User", quoted),
		comment(2, "bob", "User", fenced),
		comment(3, "carol", "User", mention),
		comment(4, "dave", "User", copied),
	}}
	client := newFakeIssues(t, f)

	// The author is unknown (GET /user is 403 for installation tokens):
	// only bot-authored comments may be govctl's.
	res, err := UpsertComment(context.Background(), client, "acme/shop", 7, testMarker, "## Plan\n1 change", CommentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != CommentCreated || res.Author != "" {
		t.Fatalf("result %+v, want a new comment", res)
	}
	for i, want := range []string{quoted, fenced, mention, copied} {
		if f.comments[i].GetBody() != want {
			t.Errorf("foreign comment %d changed to %q", i+1, f.comments[i].GetBody())
		}
	}

	// With a known author (GET /user works for a personal token), a comment
	// by someone else is not govctl's even with the exact marker line.
	f2 := &fakeIssues{user: "ci-bot-user", comments: []*github.IssueComment{
		comment(4, "dave", "User", copied),
		comment(5, "ci-bot-user", "User", testMarker+"\nold"),
	}}
	client2 := newFakeIssues(t, f2)
	res, err = UpsertComment(context.Background(), client2, "acme/shop", 7, testMarker, "new", CommentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != 5 || res.Author != "ci-bot-user" || f2.comments[0].GetBody() != copied {
		t.Errorf("result %+v; dave's comment %q", res, f2.comments[0].GetBody())
	}
}

func TestUpsertCommentForbiddenIsTyped(t *testing.T) {
	f := &fakeIssues{failWith: http.StatusForbidden}
	client := newFakeIssues(t, f)
	_, err := UpsertComment(context.Background(), client, "acme/shop", 7, testMarker, "plan", CommentOptions{Author: "github-actions[bot]"})
	var ce *CommentError
	if !errors.As(err, &ce) || !ce.Forbidden() || ce.StatusCode != 403 {
		t.Fatalf("err = %#v", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "acme/shop#7") || !strings.Contains(msg, "pull-requests: write") || strings.Contains(msg, "ghs_secretTOKEN") {
		t.Errorf("message: %s", msg)
	}

	f404 := &fakeIssues{failWith: http.StatusNotFound}
	_, err = UpsertComment(context.Background(), newFakeIssues(t, f404), "acme/shop", 7, testMarker, "plan", CommentOptions{Author: "x"})
	if !errors.As(err, &ce) || !ce.NotFound() {
		t.Fatalf("404: err = %v", err)
	}
}

func TestUpsertCommentTruncatesLongBodyAtLineBoundary(t *testing.T) {
	f := &fakeIssues{}
	client := newFakeIssues(t, f)
	var b strings.Builder
	b.WriteString("## Plan\n<details><summary>diff</summary>\n\n```diff\n")
	for i := 0; b.Len() < 2*MaxCommentLength; i++ {
		fmt.Fprintf(&b, "+ line %05d of the rendered diff, with some text to make it long 😀\n", i)
	}
	b.WriteString("```\n</details>\n")
	res, err := UpsertComment(context.Background(), client, "acme/shop", 7, testMarker, b.String(),
		CommentOptions{Author: "github-actions[bot]", FullPlanLocation: "the job summary of run 42"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated {
		t.Fatal("not reported as truncated")
	}
	got := f.comments[0].GetBody()
	if n := len(utf16.Encode([]rune(got))); n > MaxCommentLength {
		t.Fatalf("body is %d UTF-16 units, over the limit", n)
	}
	if !strings.HasPrefix(got, testMarker+"\n## Plan\n") {
		t.Errorf("marker line lost: %.80q", got)
	}
	if !strings.Contains(got, "truncated") || !strings.Contains(got, "the job summary of run 42") {
		t.Errorf("no truncation note:\n%s", got[len(got)-400:])
	}
	// Cut at a line boundary, then the open fence and <details> are closed
	// before the note, so the note renders outside them.
	idx := strings.Index(got, "```\n\n</details>\n\n> [!WARNING]")
	if idx < 0 {
		t.Fatalf("fence/details not closed before the note:\n%s", got[len(got)-400:])
	}
	lastLine := got[strings.LastIndex(got[:idx-1], "\n")+1 : idx]
	if !strings.HasPrefix(lastLine, "+ line ") || !strings.HasSuffix(lastLine, "😀\n") {
		t.Errorf("last kept line is cut mid-line: %q", lastLine)
	}

	short, trunc := truncateComment("short\n", MaxCommentLength, "")
	if trunc || short != "short\n" {
		t.Errorf("short body changed: %q", short)
	}
}

func TestPullRequestFromEvent(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pr := write("pr.json", `{"action":"synchronize","number":7,"pull_request":{"number":7,"base":{"repo":{"full_name":"acme/shop"}},"head":{"repo":{"full_name":"fork/shop"}}},"repository":{"full_name":"acme/shop"}}`)
	repo, n, err := PullRequestFromEvent(pr)
	if err != nil || repo != "acme/shop" || n != 7 {
		t.Fatalf("pull_request: %q %d %v", repo, n, err)
	}
	target := write("target.json", `{"action":"opened","number":9,"pull_request":{"number":9,"base":{"repo":{"full_name":"acme/shop"}}},"repository":{"full_name":"acme/shop"}}`)
	if repo, n, err := PullRequestFromEvent(target); err != nil || repo != "acme/shop" || n != 9 {
		t.Fatalf("pull_request_target: %q %d %v", repo, n, err)
	}

	for name, body := range map[string]string{
		"push.json":    `{"ref":"refs/heads/main","head_commit":{"id":"abc"},"repository":{"full_name":"acme/shop"}}`,
		"comment.json": `{"action":"created","issue":{"number":7,"pull_request":{"url":"x"}},"repository":{"full_name":"acme/shop"}}`,
	} {
		_, _, err := PullRequestFromEvent(write(name, body))
		if err == nil || !strings.Contains(err.Error(), "pull_request or pull_request_target") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, _, err := PullRequestFromEvent(write("bad.json", "{")); err == nil {
		t.Error("bad JSON accepted")
	}
	if _, _, err := PullRequestFromEvent(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
}
