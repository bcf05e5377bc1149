package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	rgithub "github.com/govctl/govctl/render/github"
)

// GitHub's limits on environment protection, from "Create or update an
// environment" (https://docs.github.com/rest/deployments/environments#create-or-update-an-environment):
// "You can list up to six users or teams as reviewers ... Only one of the
// required reviewers needs to approve the job for it to proceed", and the
// wait timer is "an integer between 0 and 43,200 (30 days)" minutes.
const (
	// MaxEnvironmentReviewers is the most users or teams GitHub accepts as
	// required reviewers of one environment.
	MaxEnvironmentReviewers = 6
	// MaxWaitTimer is the longest wait timer GitHub accepts.
	MaxWaitTimer = 30 * 24 * time.Hour
)

// EnvironmentProtection is the protection govctl asks for on one deployment
// environment.
type EnvironmentProtection struct {
	// Name is the GitHub environment name (the spec's environment key).
	Name string
	// Approvals is the number of distinct people who must approve a
	// deployment. 0 means no review; N > 1 is composed from N chained
	// environments (see ApprovalEnvironmentNames).
	Approvals int
	// Reviewers are GitHub logins or "org/team-slug" teams allowed to approve.
	Reviewers []string
	// WaitTimer delays a job after it is triggered; rounded up to a minute.
	WaitTimer time.Duration
	// Branches are the branch name patterns allowed to deploy; empty means
	// only protected branches may deploy.
	Branches []string
	// PreventSelfReview stops the person who triggered a run from approving it.
	PreventSelfReview bool
}

// EnvironmentOptions tunes ApplyEnvironments.
type EnvironmentOptions struct {
	// AllowAdminBypass lets repository administrators deploy without the
	// required reviews (GitHub's can_admins_bypass). It is off by default:
	// a rule that an administrator silently skips is not an N-approval rule.
	AllowAdminBypass bool
}

// Report says, per environment, what was written to GitHub, what GitHub
// itself enforces and what govctl composes on top of it.
type Report struct {
	// Repo is the "owner/name" the environments belong to.
	Repo string
	// Environments holds one entry per requested environment, in input order.
	Environments []EnvironmentReport
}

// EnvironmentReport describes the protection applied for one requested
// environment.
type EnvironmentReport struct {
	// Name is the requested environment.
	Name string
	// GitHubEnvironments are the environments written: Name, then the
	// approval environments "<Name>-approval-2" … "<Name>-approval-N".
	GitHubEnvironments []string
	// Reviewers are the reviewers as given, resolved and de-duplicated.
	Reviewers []string
	// Approvals is the number of distinct approvals required.
	Approvals int
	// WaitTimer is the wait timer as written (whole minutes).
	WaitTimer time.Duration
	// Branches are the custom deployment branch patterns; empty when only
	// protected branches may deploy.
	Branches []string
	// AdminBypass reports whether administrators can skip the protection.
	AdminBypass bool
	// Enforced lists what GitHub enforces by itself.
	Enforced []string
	// Composed lists what govctl composes and what the deploy workflow must
	// do for it to hold; empty when GitHub enforces everything.
	Composed []string
}

// String renders the report as plain text for the CLI to print.
func (r Report) String() string {
	var b strings.Builder
	for i, e := range r.Environments {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "environment %s (%s): %s\n", e.Name, r.Repo, strings.Join(e.GitHubEnvironments, ", "))
		for _, s := range e.Enforced {
			fmt.Fprintf(&b, "  GitHub enforces: %s\n", s)
		}
		for _, s := range e.Composed {
			fmt.Fprintf(&b, "  govctl composes: %s\n", s)
		}
	}
	return b.String()
}

// Sentinel errors that EnvironmentError wraps, for errors.Is.
var (
	// ErrUnknownReviewer: a login or team does not exist or is not visible.
	ErrUnknownReviewer = errors.New("unknown reviewer")
	// ErrTooManyReviewers: more reviewers than GitHub accepts.
	ErrTooManyReviewers = errors.New("too many reviewers")
	// ErrNotEnoughReviewers: fewer possible approvers than required approvals.
	ErrNotEnoughReviewers = errors.New("not enough reviewers")
	// ErrInvalidProtection: the requested protection cannot be expressed.
	ErrInvalidProtection = errors.New("invalid environment protection")
	// ErrForbidden: the token may not administer the repository's environments.
	ErrForbidden = errors.New("forbidden")
)

// EnvironmentError is a failure to protect one environment, with what to do
// about it.
type EnvironmentError struct {
	// Repo is the repository, "owner/name".
	Repo string
	// Environment is the requested environment the failure concerns.
	Environment string
	// Kind is one of the sentinel errors above, or nil for other API errors.
	Kind error
	// Message says what failed and what to do.
	Message string
	// Err is the underlying API error, if any.
	Err error
}

// Error implements error.
func (e *EnvironmentError) Error() string {
	msg := fmt.Sprintf("github environment %q in %s: %s", e.Environment, e.Repo, e.Message)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the kind and the underlying error.
func (e *EnvironmentError) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// reviewer is a resolved required reviewer.
type reviewer struct {
	spec string // as written: "alice" or "acme/sre"
	kind string // "User" or "Team"
	id   int64
	// members is how many people the reviewer can contribute as distinct
	// approvers: 1 for a user, the team's members_count for a team.
	members int
}

// ApplyEnvironments creates or updates the environments of repo so that they
// carry the requested protection: required reviewers, wait timer,
// prevent_self_review and the deployment branch policy. For Approvals N > 1 it
// also writes the approval environments named by ApprovalEnvironmentNames,
// because GitHub lets any single one of an environment's reviewers approve.
//
// All environments are validated and all reviewers resolved before anything
// is written, so a typo in one environment changes nothing.
func ApplyEnvironments(ctx context.Context, client *gh.Client, repo string, envs []EnvironmentProtection, opts EnvironmentOptions) (Report, error) {
	report := Report{Repo: repo}
	owner, name, err := splitRepo(repo)
	if err != nil {
		return report, err
	}
	if err := validateEnvironments(repo, envs); err != nil {
		return report, err
	}

	resolved := map[string]reviewer{}
	for _, env := range envs {
		for _, spec := range uniqueStrings(env.Reviewers) {
			if _, ok := resolved[spec]; ok {
				continue
			}
			r, err := resolveReviewer(ctx, client, spec)
			if err != nil {
				return report, environmentAPIError(repo, env.Name, err, "resolve reviewer "+spec)
			}
			resolved[spec] = r
		}
	}

	for _, env := range envs {
		reviewers := uniqueStrings(env.Reviewers)
		capacity := 0
		var body []*gh.EnvReviewers
		for _, spec := range reviewers {
			r := resolved[spec]
			capacity += r.members
			body = append(body, &gh.EnvReviewers{Type: gh.String(r.kind), ID: gh.Int64(r.id)})
		}
		if capacity < env.Approvals {
			return report, &EnvironmentError{Repo: repo, Environment: env.Name, Kind: ErrNotEnoughReviewers,
				Message: fmt.Sprintf("%d approvals are required but the reviewers %s can supply at most %d distinct approvers (a team counts as its members); add reviewers or lower approvals",
					env.Approvals, strings.Join(reviewers, ", "), capacity)}
		}

		waitMinutes := int((env.WaitTimer + time.Minute - 1) / time.Minute)
		branches := uniqueStrings(env.Branches)
		policy := &gh.BranchPolicy{ProtectedBranches: gh.Bool(true), CustomBranchPolicies: gh.Bool(false)}
		if len(branches) > 0 {
			policy = &gh.BranchPolicy{ProtectedBranches: gh.Bool(false), CustomBranchPolicies: gh.Bool(true)}
		}

		names := rgithub.ApprovalEnvironmentNames(env.Name, env.Approvals)
		for i, ghName := range names {
			req := &gh.CreateUpdateEnvironment{
				WaitTimer:              gh.Int(0),
				Reviewers:              body,
				CanAdminsBypass:        gh.Bool(opts.AllowAdminBypass),
				DeploymentBranchPolicy: policy,
				PreventSelfReview:      gh.Bool(env.PreventSelfReview),
			}
			if i == 0 {
				// The wait timer delays the deployment once; repeating it on
				// every approval environment would multiply it.
				req.WaitTimer = gh.Int(waitMinutes)
			}
			if _, _, err := client.Repositories.CreateUpdateEnvironment(ctx, owner, name, url.PathEscape(ghName), req); err != nil {
				return report, environmentAPIError(repo, env.Name, err, "create or update environment "+ghName)
			}
			if len(branches) > 0 {
				if err := syncBranchPolicies(ctx, client, owner, name, ghName, branches); err != nil {
					return report, environmentAPIError(repo, env.Name, err, "set deployment branch policies of "+ghName)
				}
			}
		}

		report.Environments = append(report.Environments, describe(env, names, reviewers, branches, waitMinutes, opts.AllowAdminBypass))
	}
	return report, nil
}

// describe writes the plain account of what GitHub enforces and what govctl
// composes for one environment.
func describe(env EnvironmentProtection, names, reviewers, branches []string, waitMinutes int, adminBypass bool) EnvironmentReport {
	r := EnvironmentReport{
		Name:               env.Name,
		GitHubEnvironments: names,
		Reviewers:          reviewers,
		Approvals:          env.Approvals,
		WaitTimer:          time.Duration(waitMinutes) * time.Minute,
		Branches:           branches,
		AdminBypass:        adminBypass,
	}
	if env.Approvals > 0 {
		r.Enforced = append(r.Enforced, fmt.Sprintf("a job using %q waits for ONE approval from any of %s", env.Name, strings.Join(reviewers, ", ")))
		if env.PreventSelfReview {
			r.Enforced = append(r.Enforced, "the person who triggered the run cannot approve it (prevent_self_review)")
		}
	} else {
		r.Enforced = append(r.Enforced, "no required reviewers")
	}
	if waitMinutes > 0 {
		r.Enforced = append(r.Enforced, fmt.Sprintf("a wait timer of %d minute(s) before the job starts", waitMinutes))
	}
	if len(branches) > 0 {
		r.Enforced = append(r.Enforced, "only branches matching "+strings.Join(branches, ", ")+" can deploy")
	} else {
		r.Enforced = append(r.Enforced, "only protected branches can deploy")
	}
	if adminBypass {
		r.Enforced = append(r.Enforced, "repository administrators CAN bypass these rules (can_admins_bypass)")
	} else {
		r.Enforced = append(r.Enforced, "repository administrators cannot bypass these rules")
	}
	if env.Approvals > 1 {
		r.Enforced = append(r.Enforced, fmt.Sprintf("each of %s needs its own approval, from the same reviewers", strings.Join(names[1:], ", ")))
		r.Composed = append(r.Composed,
			fmt.Sprintf("GitHub cannot require %d approvals on one environment; the deploy workflow must run one job per environment (%s), chained with needs", env.Approvals, strings.Join(names, " → ")),
			fmt.Sprintf("a final step runs `govctl approvals verify` to check that %d DISTINCT people approved those environments in the run; without it one reviewer could approve every gate", env.Approvals))
	}
	return r
}

// validateEnvironments checks everything that needs no API call.
func validateEnvironments(repo string, envs []EnvironmentProtection) error {
	declared := map[string]bool{}
	for _, env := range envs {
		declared[strings.ToLower(env.Name)] = true
	}
	seen := map[string]bool{}
	for _, env := range envs {
		bad := func(kind error, format string, args ...any) error {
			return &EnvironmentError{Repo: repo, Environment: env.Name, Kind: kind, Message: fmt.Sprintf(format, args...)}
		}
		if strings.TrimSpace(env.Name) == "" {
			return bad(ErrInvalidProtection, "environment name is empty")
		}
		// GitHub environment names are case-insensitive.
		if seen[strings.ToLower(env.Name)] {
			return bad(ErrInvalidProtection, "environment listed twice")
		}
		seen[strings.ToLower(env.Name)] = true
		reviewers := uniqueStrings(env.Reviewers)
		switch {
		case env.Approvals < 0:
			return bad(ErrInvalidProtection, "approvals is %d; it must be 0 or more", env.Approvals)
		case len(reviewers) > MaxEnvironmentReviewers:
			return bad(ErrTooManyReviewers, "%d reviewers given (%s) but GitHub allows at most %d users or teams per environment; put people in a team and list the team instead",
				len(reviewers), strings.Join(reviewers, ", "), MaxEnvironmentReviewers)
		case env.Approvals == 0 && len(reviewers) > 0:
			return bad(ErrInvalidProtection, "reviewers are listed but approvals is 0; GitHub would still require one approval, so set approvals to at least 1 or remove the reviewers")
		case env.Approvals > 0 && len(reviewers) == 0:
			return bad(ErrNotEnoughReviewers, "%d approval(s) required but no reviewers listed; add GitHub logins or org/team slugs to reviewers", env.Approvals)
		case env.WaitTimer < 0 || env.WaitTimer > MaxWaitTimer:
			return bad(ErrInvalidProtection, "wait timer %s is outside GitHub's range of 0 to 30 days", env.WaitTimer)
		}
		for _, spec := range reviewers {
			if _, _, err := parseReviewer(spec); err != nil {
				return bad(ErrUnknownReviewer, "%v", err)
			}
		}
		for _, b := range env.Branches {
			if strings.TrimSpace(b) == "" {
				return bad(ErrInvalidProtection, "an empty branch pattern is listed")
			}
		}
		for _, composed := range rgithub.ApprovalEnvironmentNames(env.Name, env.Approvals)[1:] {
			if declared[strings.ToLower(composed)] {
				return bad(ErrInvalidProtection, "the approval environment %q it needs clashes with a declared environment of that name; rename one", composed)
			}
		}
	}
	return nil
}

// parseReviewer splits "org/team" from "login".
func parseReviewer(spec string) (org, name string, err error) {
	org, team, isTeam := strings.Cut(spec, "/")
	switch {
	case strings.TrimSpace(spec) == "" || strings.ContainsAny(spec, " \t\n"):
		return "", "", fmt.Errorf("reviewer %q is not a GitHub login or org/team-slug", spec)
	case !isTeam:
		return "", spec, nil
	case org == "" || team == "" || strings.Contains(team, "/"):
		return "", "", fmt.Errorf("reviewer %q is not of the form org/team-slug", spec)
	}
	return org, team, nil
}

// resolveReviewer turns a login into a user ID (GET /users/{username}) or an
// org/team-slug into a team ID (GET /orgs/{org}/teams/{team_slug}); the
// environments API takes only IDs.
func resolveReviewer(ctx context.Context, client *gh.Client, spec string) (reviewer, error) {
	org, name, err := parseReviewer(spec)
	if err != nil {
		return reviewer{}, err
	}
	if org == "" {
		u, _, err := client.Users.Get(ctx, name)
		if err != nil {
			if statusOf(err) == http.StatusNotFound {
				return reviewer{}, reviewerError(spec, fmt.Sprintf("GitHub user %q does not exist; check the login in reviewers", name), err)
			}
			return reviewer{}, err
		}
		if u.GetID() == 0 {
			return reviewer{}, reviewerError(spec, fmt.Sprintf("GitHub returned no ID for user %q", name), nil)
		}
		if u.GetType() == "Organization" {
			return reviewer{}, reviewerError(spec, fmt.Sprintf("%q is an organization, not a user; list a team as %s/<team-slug>", name, name), nil)
		}
		return reviewer{spec: spec, kind: "User", id: u.GetID(), members: 1}, nil
	}
	t, _, err := client.Teams.GetTeamBySlug(ctx, org, name)
	if err != nil {
		if statusOf(err) == http.StatusNotFound {
			return reviewer{}, reviewerError(spec, fmt.Sprintf("team %q not found in organization %q, or the token cannot see it (it needs read access to the organization's members); check the slug in reviewers", name, org), err)
		}
		return reviewer{}, err
	}
	if t.GetID() == 0 {
		return reviewer{}, reviewerError(spec, fmt.Sprintf("GitHub returned no ID for team %q", spec), nil)
	}
	members := t.GetMembersCount()
	if t.MembersCount == nil {
		// Without a count, assume the team supplies one approver rather
		// than promising approvals it may not be able to give.
		members = 1
	}
	return reviewer{spec: spec, kind: "Team", id: t.GetID(), members: members}, nil
}

// reviewerLookupError carries ErrUnknownReviewer through environmentAPIError.
type reviewerLookupError struct {
	msg string
	err error
}

func (e *reviewerLookupError) Error() string { return e.msg }
func (e *reviewerLookupError) Unwrap() error { return e.err }

func reviewerError(spec, msg string, err error) error {
	return &reviewerLookupError{msg: msg, err: err}
}

// syncBranchPolicies makes the environment's custom deployment branch
// policies exactly the given patterns
// (https://docs.github.com/rest/deployments/branch-policies): it creates the
// missing ones and deletes the others, since govctl owns the environment.
func syncBranchPolicies(ctx context.Context, client *gh.Client, owner, repo, env string, branches []string) error {
	existing, err := listBranchPolicies(ctx, client, owner, repo, env)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range existing {
		if slices.Contains(branches, p.GetName()) && p.GetType() != "tag" {
			have[p.GetName()] = true
			continue
		}
		if _, err := client.Repositories.DeleteDeploymentBranchPolicy(ctx, owner, repo, url.PathEscape(env), p.GetID()); err != nil {
			return err
		}
	}
	for _, b := range branches {
		if have[b] {
			continue
		}
		req := &gh.DeploymentBranchPolicyRequest{Name: gh.String(b), Type: gh.String("branch")}
		if _, _, err := client.Repositories.CreateDeploymentBranchPolicy(ctx, owner, repo, url.PathEscape(env), req); err != nil {
			return err
		}
	}
	return nil
}

// listBranchPolicies reads every page of an environment's branch policies.
// go-github v60's ListDeploymentBranchPolicies takes no ListOptions, and the
// endpoint pages at 30 by default, so the request is built here.
func listBranchPolicies(ctx context.Context, client *gh.Client, owner, repo, env string) ([]*gh.DeploymentBranchPolicy, error) {
	var all []*gh.DeploymentBranchPolicy
	page := 1
	for {
		u := fmt.Sprintf("repos/%s/%s/environments/%s/deployment-branch-policies?per_page=100&page=%d", owner, repo, url.PathEscape(env), page)
		req, err := client.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		var list gh.DeploymentBranchPolicyResponse
		resp, err := client.Do(ctx, req, &list)
		if err != nil {
			return nil, err
		}
		all = append(all, list.BranchPolicies...)
		if resp.NextPage == 0 {
			return all, nil
		}
		page = resp.NextPage
	}
}

// environmentAPIError turns an API failure into an EnvironmentError that
// says what to do. It never includes the token: go-github's errors carry the
// method, URL and GitHub's message, not request headers.
func environmentAPIError(repo, env string, err error, op string) error {
	if err == nil {
		return nil
	}
	e := &EnvironmentError{Repo: repo, Environment: env, Err: err}
	var lookup *reviewerLookupError
	var rate *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	switch status := statusOf(err); {
	case errors.As(err, &lookup):
		e.Kind, e.Message = ErrUnknownReviewer, lookup.msg
	case errors.As(err, &rate), errors.As(err, &abuse):
		e.Message = op + ": GitHub API rate limit reached; retry later"
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		e.Kind = ErrForbidden
		e.Message = op + ": the token may not administer environments; use a token with the \"Administration\" repository permission (write) — a fine-grained token or GitHub App, or a classic token with repo scope from a repository admin; the workflow GITHUB_TOKEN cannot be granted it"
	case status == http.StatusNotFound:
		e.Message = op + ": repository not found or not visible to the token (environments with reviewers also need a public repository or a paid plan)"
	case status == http.StatusUnprocessableEntity:
		e.Message = op + ": GitHub rejected the protection; reviewers must have at least read access to the repository, and private repositories need a plan that supports required reviewers"
	default:
		e.Message = op
	}
	return e
}

// statusOf returns the HTTP status of a go-github error, or 0.
func statusOf(err error) int {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	var rl *gh.RateLimitError
	if errors.As(err, &rl) && rl.Response != nil {
		return rl.Response.StatusCode
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) && ab.Response != nil {
		return ab.Response.StatusCode
	}
	return 0
}

// splitRepo splits "owner/name".
func splitRepo(repo string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("repository %q is not of the form owner/name", repo)
	}
	return owner, name, nil
}

// uniqueStrings drops duplicates (case-insensitively, as GitHub logins are),
// keeping the first spelling and the input order.
func uniqueStrings(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		k := strings.ToLower(strings.TrimSpace(s))
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// Approval is one approval of a workflow run's deployment review, as the
// run-approvals API reports it.
type Approval struct {
	// Login is the approver's GitHub login.
	Login string
	// UserID is the approver's numeric ID (stable across renames).
	UserID int64
	// Environments are the environments this review approved.
	Environments []string
}

// ApprovalError reports that a run's approvals do not add up to the required
// number of distinct approvers.
type ApprovalError struct {
	// Repo is the repository, "owner/name".
	Repo string
	// RunID is the workflow run checked.
	RunID int64
	// Want is the number of distinct approvers required.
	Want int
	// Got is the largest number of environments approved by pairwise
	// different people.
	Got int
	// Missing are environments with no approval recorded in the run.
	Missing []string
	// Approvals are the approvals found for the checked environments.
	Approvals []Approval
}

// Error implements error.
func (e *ApprovalError) Error() string {
	var who []string
	for _, a := range e.Approvals {
		who = append(who, fmt.Sprintf("%s approved %s", a.Login, strings.Join(a.Environments, ", ")))
	}
	if len(who) == 0 {
		who = []string{"nobody approved"}
	}
	msg := fmt.Sprintf("workflow run %d in %s: %d distinct approver(s) found, %d required (%s)", e.RunID, e.Repo, e.Got, e.Want, strings.Join(who, "; "))
	if len(e.Missing) > 0 {
		msg += fmt.Sprintf("; no approval recorded for %s", strings.Join(e.Missing, ", "))
	}
	return msg + "; each approval gate must be approved by a different reviewer — re-run the workflow and have different people approve"
}

// runReview is one entry of GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals
// ("Get the review history for a workflow run",
// https://docs.github.com/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run),
// which go-github v60 does not wrap.
type runReview struct {
	State        string   `json:"state"` // approved, rejected or pending
	Comment      string   `json:"comment"`
	User         *gh.User `json:"user"`
	Environments []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"environments"`
}

// VerifyDistinctApprovals checks, in workflow run runID of repo, that want
// different people approved the given environments (the names from
// ApprovalEnvironmentNames). Every environment must have an approval, and the
// approvals must be assignable to the environments one person per
// environment for at least want of them: alice approving both "prod" and
// "prod-approval-2" counts once. It returns nil when the rule holds and an
// *ApprovalError when it does not.
func VerifyDistinctApprovals(ctx context.Context, client *gh.Client, repo string, runID int64, environments []string, want int) error {
	owner, name, err := splitRepo(repo)
	if err != nil {
		return err
	}
	if want < 1 || want > len(environments) {
		return fmt.Errorf("verify approvals of run %d in %s: %d distinct approvals cannot be checked over %d environment(s); pass one environment per approval", runID, repo, want, len(environments))
	}
	req, err := client.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/%s/actions/runs/%d/approvals", owner, name, runID), nil)
	if err != nil {
		return err
	}
	var reviews []runReview
	if _, err := client.Do(ctx, req, &reviews); err != nil {
		msg := fmt.Sprintf("verify approvals of run %d in %s", runID, repo)
		switch statusOf(err) {
		case http.StatusNotFound:
			msg += " (run not found, or the token cannot read Actions of the repository; give the job `actions: read`)"
		case http.StatusForbidden, http.StatusUnauthorized:
			msg += " (the token may not read the run's reviews; give the job `actions: read`)"
		}
		return fmt.Errorf("%s: %w", msg, err)
	}

	// Environment names are case-insensitive on GitHub.
	index := map[string]int{}
	for i, e := range environments {
		index[strings.ToLower(e)] = i
	}
	type approver struct {
		login string
		envs  map[int]bool
	}
	byUser := map[string]*approver{}
	var order []string
	for _, r := range reviews {
		if r.State != "approved" || r.User == nil {
			continue
		}
		key := fmt.Sprint(r.User.GetID())
		if r.User.GetID() == 0 {
			key = "login:" + strings.ToLower(r.User.GetLogin())
		}
		for _, e := range r.Environments {
			i, ok := index[strings.ToLower(e.Name)]
			if !ok {
				continue
			}
			a := byUser[key]
			if a == nil {
				a = &approver{login: r.User.GetLogin(), envs: map[int]bool{}}
				byUser[key] = a
				order = append(order, key)
			}
			a.envs[i] = true
		}
	}

	approved := make([]bool, len(environments))
	var approvals []Approval
	adj := make([][]int, len(order))
	for u, key := range order {
		a := byUser[key]
		ap := Approval{Login: a.login}
		if id, err := parseID(key); err == nil {
			ap.UserID = id
		}
		for i := range environments {
			if a.envs[i] {
				approved[i] = true
				adj[u] = append(adj[u], i)
				ap.Environments = append(ap.Environments, environments[i])
			}
		}
		approvals = append(approvals, ap)
	}
	var missing []string
	for i, ok := range approved {
		if !ok {
			missing = append(missing, environments[i])
		}
	}
	got := maxMatching(adj, len(environments))
	if got >= want && len(missing) == 0 {
		return nil
	}
	sort.SliceStable(approvals, func(i, j int) bool { return approvals[i].Login < approvals[j].Login })
	return &ApprovalError{Repo: repo, RunID: runID, Want: want, Got: got, Missing: missing, Approvals: approvals}
}

func parseID(key string) (int64, error) {
	var id int64
	_, err := fmt.Sscan(key, &id)
	return id, err
}

// maxMatching is the size of a maximum matching between approvers and the
// environments they approved (Kuhn's augmenting paths; at most six reviewers
// times a handful of environments).
func maxMatching(adj [][]int, environments int) int {
	owner := make([]int, environments)
	for i := range owner {
		owner[i] = -1
	}
	var try func(u int, seen []bool) bool
	try = func(u int, seen []bool) bool {
		for _, e := range adj[u] {
			if seen[e] {
				continue
			}
			seen[e] = true
			if owner[e] == -1 || try(owner[e], seen) {
				owner[e] = u
				return true
			}
		}
		return false
	}
	n := 0
	for u := range adj {
		if try(u, make([]bool, environments)) {
			n++
		}
	}
	return n
}
