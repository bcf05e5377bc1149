package githubapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"unicode/utf16"

	"github.com/google/go-github/v60/github"
)

// MaxCommentLength is GitHub's limit on an issue or pull-request comment body
// ("body is too long (maximum is 65536 characters)").
const MaxCommentLength = 65536

// CommentOptions tunes UpsertComment.
type CommentOptions struct {
	// Author is the login the token posts as, when the caller knows it
	// (e.g. "github-actions[bot]" for a workflow's GITHUB_TOKEN). When empty,
	// UpsertComment asks GET /user once; see UpsertComment for the rule.
	Author string
	// FullPlanLocation says where the complete plan can be read when the
	// comment has to be truncated, e.g. "the job summary of
	// https://github.com/acme/shop/actions/runs/42". Defaults to
	// "the job summary and log of the workflow run".
	FullPlanLocation string
}

// CommentAction says what UpsertComment did.
type CommentAction string

// The outcomes of UpsertComment.
const (
	CommentCreated   CommentAction = "created"
	CommentUpdated   CommentAction = "updated"
	CommentUnchanged CommentAction = "unchanged"
)

// CommentResult describes the comment govctl now owns on the pull request.
type CommentResult struct {
	// Action is created, updated or unchanged.
	Action CommentAction
	// ID is the comment's ID.
	ID int64
	// URL is the comment's web address.
	URL string
	// Truncated reports that the body was cut to fit MaxCommentLength.
	Truncated bool
	// Author is the login comments were matched against; empty when it
	// could not be known and only bot-authored comments were considered.
	Author string
}

// CommentError is a failed GitHub call while posting the plan comment. The
// caller still prints the plan and keeps its exit code.
type CommentError struct {
	// Op is the step that failed, e.g. "list comments".
	Op string
	// Repo is "owner/name"; PR the pull request number.
	Repo string
	PR   int
	// StatusCode is the HTTP status GitHub answered, or 0.
	StatusCode int
	// Err is the go-github error.
	Err error
}

// Error implements error, with a hint for the common statuses.
func (e *CommentError) Error() string {
	msg := fmt.Sprintf("plan comment on %s#%d: %s", e.Repo, e.PR, e.Op)
	switch e.StatusCode {
	case http.StatusForbidden:
		msg += " (forbidden: the token needs `pull-requests: write` (or `issues: write`); a workflow triggered from a fork gets a read-only GITHUB_TOKEN, so the plan is only in the job summary)"
	case http.StatusNotFound:
		msg += " (not found: the repository or pull request does not exist or the token cannot see it)"
	case http.StatusUnauthorized:
		msg += " (unauthorized: the token is missing, expired or revoked)"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the go-github error.
func (e *CommentError) Unwrap() error { return e.Err }

// Forbidden reports a 403, which in CI usually means a fork's read-only token.
func (e *CommentError) Forbidden() bool { return e.StatusCode == http.StatusForbidden }

// NotFound reports a 404.
func (e *CommentError) NotFound() bool { return e.StatusCode == http.StatusNotFound }

// UpsertComment makes pull request pr of repo carry exactly one govctl plan
// comment for marker: it updates the existing one, or creates it.
//
// A comment is govctl's when its first line is exactly marker (so a comment
// that quotes or mentions a plan is not), and it was written by the token's
// user. That user is opts.Author, or else the login GET /user returns. An
// installation token (a workflow's GITHUB_TOKEN, a GitHub App) cannot call
// GET /user; then only comments written by bot accounts are considered, as a
// person's comment is never govctl's to overwrite. The oldest matching
// comment wins, searched across every page of the pull request's comments.
//
// The body gets the marker as its first line. A body over MaxCommentLength is
// cut at a line boundary with a note saying where the full plan is.
func UpsertComment(ctx context.Context, client *github.Client, repo string, pr int, marker string, body string, opts CommentOptions) (CommentResult, error) {
	var res CommentResult
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return res, fmt.Errorf("plan comment: repository %q is not of the form owner/name", repo)
	}
	if pr <= 0 {
		return res, fmt.Errorf("plan comment on %s: pull request number %d is not positive", repo, pr)
	}
	marker = strings.TrimSpace(marker)
	if !strings.HasPrefix(marker, "<!--") || !strings.HasSuffix(marker, "-->") || strings.ContainsAny(marker, "\r\n") || len(marker) < 8 {
		return res, fmt.Errorf("plan comment on %s#%d: marker %q is not a one-line HTML comment", repo, pr, marker)
	}
	fail := func(op string, err error) (CommentResult, error) {
		return res, &CommentError{Op: op, Repo: repo, PR: pr, StatusCode: statusOf(err), Err: err}
	}

	author := opts.Author
	if author == "" {
		u, _, err := client.Users.Get(ctx, "")
		switch {
		case err == nil:
			author = u.GetLogin()
		case statusOf(err) == http.StatusUnauthorized:
			return fail("identify the token's user", err)
		case ctx.Err() != nil:
			return fail("identify the token's user", err)
		}
		// Any other failure (403 "Resource not accessible by integration"
		// for installation tokens) leaves the author unknown.
	}
	res.Author = author

	full := composeBody(marker, body)
	full, res.Truncated = truncateComment(full, MaxCommentLength, opts.FullPlanLocation)

	existing, err := findComment(ctx, client, owner, name, pr, marker, author)
	if err != nil {
		return fail("list comments", err)
	}
	if existing == nil {
		c, _, err := client.Issues.CreateComment(ctx, owner, name, pr, &github.IssueComment{Body: github.String(full)})
		if err != nil {
			return fail("create comment", err)
		}
		res.Action, res.ID, res.URL = CommentCreated, c.GetID(), c.GetHTMLURL()
		return res, nil
	}
	res.ID, res.URL = existing.GetID(), existing.GetHTMLURL()
	if existing.GetBody() == full {
		res.Action = CommentUnchanged
		return res, nil
	}
	c, _, err := client.Issues.EditComment(ctx, owner, name, existing.GetID(), &github.IssueComment{Body: github.String(full)})
	if err != nil {
		return fail(fmt.Sprintf("update comment %d", existing.GetID()), err)
	}
	res.Action = CommentUpdated
	if c.GetHTMLURL() != "" {
		res.URL = c.GetHTMLURL()
	}
	return res, nil
}

// findComment returns the oldest comment that is govctl's for marker, reading
// the pull request's comments page by page (oldest first, 100 a page).
func findComment(ctx context.Context, client *github.Client, owner, repo string, pr int, marker, author string) (*github.IssueComment, error) {
	opts := &github.IssueListCommentsOptions{
		Sort:        github.String("created"),
		Direction:   github.String("asc"),
		ListOptions: github.ListOptions{PerPage: 100},
	}
	for {
		comments, resp, err := client.Issues.ListComments(ctx, owner, repo, pr, opts)
		if err != nil {
			return nil, err
		}
		for _, c := range comments {
			if isOwnComment(c, marker, author) {
				return c, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

// isOwnComment applies UpsertComment's rule to one comment.
func isOwnComment(c *github.IssueComment, marker, author string) bool {
	first, _, _ := strings.Cut(c.GetBody(), "\n")
	if strings.TrimRight(first, " \t\r") != marker {
		return false
	}
	if author != "" {
		return strings.EqualFold(c.GetUser().GetLogin(), author)
	}
	return c.GetUser().GetType() == "Bot"
}

// composeBody puts the marker on the first line, once.
func composeBody(marker, body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	first, rest, _ := strings.Cut(body, "\n")
	if strings.TrimSpace(first) == marker {
		body = rest
	}
	return marker + "\n" + body
}

// commentLength counts as GitHub's limit does, erring long: UTF-16 code
// units are never fewer than characters, so a body that passes here passes
// on GitHub whether it counts code points or UTF-16 units.
func commentLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// truncateComment cuts body at a line boundary so that it, any fences or
// <details> it leaves open and a truncation note fit in limit.
func truncateComment(body string, limit int, location string) (string, bool) {
	if commentLength(body) <= limit {
		return body, false
	}
	if location == "" {
		location = "the job summary and log of the workflow run"
	}
	lines := strings.SplitAfter(body, "\n")
	total := len(lines)
	if strings.HasSuffix(body, "\n") {
		total-- // SplitAfter yields a last empty element
	}
	note := func(shown int) string {
		return fmt.Sprintf("\n> [!WARNING]\n> This plan was truncated to fit GitHub's %d-character comment limit: %d of %d lines shown. The full plan is in %s.\n",
			limit, shown, total, location)
	}

	var kept strings.Builder
	keptLen := 0
	var fence string // the open code fence, if any
	details := 0     // <details> blocks left open
	shown := 0
	for i, line := range lines {
		nextFence, nextDetails := scanLine(line, fence, details)
		closing := closers(nextFence, nextDetails)
		if !strings.HasSuffix(line, "\n") {
			closing = "\n" + closing
		}
		if keptLen+commentLength(line)+commentLength(closing)+commentLength(note(i+1)) > limit {
			break
		}
		kept.WriteString(line)
		keptLen += commentLength(line)
		fence, details = nextFence, nextDetails
		shown = i + 1
	}
	out := kept.String()
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out + closers(fence, details) + note(shown), true
}

// scanLine tracks Markdown state across one line: an open fenced code block
// (``` or ~~~, CommonMark) and open <details> elements, which would otherwise
// swallow the truncation note.
func scanLine(line, fence string, details int) (string, int) {
	t := strings.TrimSpace(line)
	if fence != "" {
		if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
			return "", details
		}
		return fence, details
	}
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(t, f) {
			n := len(t) - len(strings.TrimLeft(t, f[:1]))
			return strings.Repeat(f[:1], n), details
		}
	}
	lower := strings.ToLower(t)
	details += strings.Count(lower, "<details") - strings.Count(lower, "</details>")
	if details < 0 {
		details = 0
	}
	return "", details
}

// closers returns the Markdown that closes an open fence and <details>.
func closers(fence string, details int) string {
	var b strings.Builder
	if fence != "" {
		b.WriteString(fence + "\n")
	}
	for range details {
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

// pullRequestEvent is the part of a pull_request / pull_request_target
// webhook payload (the file at GITHUB_EVENT_PATH) that locates the PR.
type pullRequestEvent struct {
	Number      int `json:"number"`
	PullRequest *struct {
		Number int `json:"number"`
		Base   struct {
			Repo struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"base"`
	} `json:"pull_request"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
	// Fields that identify other events, for a clearer error.
	Issue *struct {
		PullRequest *json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	Ref        string           `json:"ref"`
	HeadCommit *json.RawMessage `json:"head_commit"`
}

// PullRequestFromEvent reads the webhook payload at path (GITHUB_EVENT_PATH in
// Actions) and returns the pull request's base repository ("owner/name") and
// number. It accepts pull_request and pull_request_target payloads; the
// comment belongs on the base repository, also when the PR comes from a fork.
func PullRequestFromEvent(path string) (repo string, number int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", 0, fmt.Errorf("read GitHub event payload: %w", err)
	}
	var ev pullRequestEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return "", 0, fmt.Errorf("GitHub event payload %s is not JSON: %w", path, err)
	}
	if ev.PullRequest == nil {
		kind := "an event that is not about a pull request"
		switch {
		case ev.Issue != nil && ev.Issue.PullRequest != nil:
			kind = "an issue_comment event"
		case ev.Issue != nil:
			kind = "an issues event"
		case ev.HeadCommit != nil || ev.Ref != "":
			kind = "a push event"
		}
		return "", 0, fmt.Errorf("GitHub event payload %s is %s; a plan comment needs a pull_request or pull_request_target event (or give the repository and PR number explicitly)", path, kind)
	}
	number = ev.PullRequest.Number
	if number == 0 {
		number = ev.Number
	}
	repo = ev.PullRequest.Base.Repo.FullName
	if repo == "" {
		repo = ev.Repository.FullName
	}
	if number <= 0 || repo == "" {
		return "", 0, fmt.Errorf("GitHub event payload %s has a pull_request without a number or base repository", path)
	}
	return repo, number, nil
}
