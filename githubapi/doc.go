// Package githubapi is govctl's client of the GitHub REST API, the live
// system behind `govctl apply github` (environment protection:
// ApplyEnvironments, ApplyPlatform), `govctl approvals verify`
// (VerifyDistinctApprovals) and `govctl plan --comment` (UpsertComment).
//
// The workflows that rely on this protection are rendered by the pure
// package render/github. The caller supplies the token and API base (the CLI
// reads GITHUB_TOKEN and GITHUB_API_URL); this package reads no environment.
package githubapi

import (
	"fmt"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

// DefaultAPIURL is the API base of github.com.
const DefaultAPIURL = "https://api.github.com"

// NewClient returns a go-github client authenticated with token. A non-empty
// apiURL other than DefaultAPIURL is a GitHub Enterprise Server API base
// (GITHUB_API_URL in Actions).
func NewClient(token, apiURL string) (*gh.Client, error) {
	c := gh.NewClient(nil).WithAuthToken(token)
	if apiURL != "" && strings.TrimSuffix(apiURL, "/") != DefaultAPIURL {
		var err error
		if c, err = c.WithEnterpriseURLs(apiURL, apiURL); err != nil {
			return nil, fmt.Errorf("GitHub Enterprise API URL: %w", err)
		}
	}
	return c, nil
}
