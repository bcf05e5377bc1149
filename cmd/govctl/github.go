package main

import (
	"fmt"
	"os"

	gh "github.com/google/go-github/v60/github"
	"github.com/spf13/cobra"

	"github.com/govctl/govctl/githubapi"
)

// GitHubOptions are how a command reaches GitHub: the token from
// GITHUB_TOKEN, the API base from --github-api-url or GITHUB_API_URL (set
// by Actions; GitHub Enterprise), the repository from --repo, then
// GITHUB_REPOSITORY, then the spec.
type GitHubOptions struct {
	APIURL string
	Repo   string
}

func (o *GitHubOptions) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.APIURL, "github-api-url", "", "GitHub API base URL (default $GITHUB_API_URL, else https://api.github.com)")
	cmd.Flags().StringVar(&o.Repo, "repo", "", "owner/name (default $GITHUB_REPOSITORY, else platform.github.repository)")
}

// client returns a GitHub client authenticated with GITHUB_TOKEN.
func (o *GitHubOptions) client() (*gh.Client, error) {
	token := os.Getenv("GITHUB_TOKEN")
	if token == "" {
		return nil, fmt.Errorf("GITHUB_TOKEN is not set: export a token with the permissions this command needs")
	}
	api := o.APIURL
	if api == "" {
		api = os.Getenv("GITHUB_API_URL")
	}
	c, err := githubapi.NewClient(token, api)
	if err != nil {
		return nil, fmt.Errorf("--github-api-url %s: %w", api, err)
	}
	return c, nil
}

// repo returns the repository to act on, from the flag, the Actions
// environment or the spec.
func (o *GitHubOptions) repo(fromSpec string) (string, error) {
	for _, r := range []string{o.Repo, os.Getenv("GITHUB_REPOSITORY"), fromSpec} {
		if r != "" {
			return r, nil
		}
	}
	return "", fmt.Errorf("no repository: pass --repo owner/name or set platform.github.repository")
}
