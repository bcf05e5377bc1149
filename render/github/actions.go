package github

import (
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// actionsLock is the table of pinned third-party actions; see the comment at
// the top of the file for how an entry is made.
//
//go:embed actions.lock.yaml
var actionsLock []byte

// PinnedAction is a third-party action as the rendered workflows use it:
// pinned to the full commit SHA of a release tag.
type PinnedAction struct {
	// Repository is the action's repository, "owner/name".
	Repository string
	// Version is the release tag the SHA was resolved from, e.g. "v7.0.1".
	Version string
	// SHA is the 40-hex commit the tag pointed to when it was pinned.
	SHA string
	// Source says how the SHA was obtained, so a reviewer can repeat it.
	Source string
}

// Uses returns the value of a step's `uses:` for the action, or for the
// action in subdirectory path of the repository when path is not empty
// ("github/codeql-action/upload-sarif@<sha>").
func (a PinnedAction) Uses(path string) string {
	if path == "" {
		return a.Repository + "@" + a.SHA
	}
	return a.Repository + "/" + path + "@" + a.SHA
}

var fullSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

var loadActions = sync.OnceValues(func() (map[string]PinnedAction, error) {
	return parseActionsLock(actionsLock)
})

// PinnedActions returns every action in the embedded lock file, sorted by
// repository.
func PinnedActions() ([]PinnedAction, error) {
	pins, err := loadActions()
	if err != nil {
		return nil, err
	}
	out := make([]PinnedAction, 0, len(pins))
	for _, p := range pins {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Repository < out[j].Repository })
	return out, nil
}

// pinnedAction returns the lock entry for repository.
func pinnedAction(repository string) (PinnedAction, error) {
	pins, err := loadActions()
	if err != nil {
		return PinnedAction{}, err
	}
	p, ok := pins[repository]
	if !ok {
		return PinnedAction{}, fmt.Errorf("action %s is not pinned in actions.lock.yaml", repository)
	}
	return p, nil
}

// parseActionsLock reads and checks the lock file: every entry needs a
// version, a full lower-case commit SHA and a source.
func parseActionsLock(data []byte) (map[string]PinnedAction, error) {
	var doc struct {
		Actions map[string]struct {
			Version string `yaml:"version"`
			SHA     string `yaml:"sha"`
			Source  string `yaml:"source"`
		} `yaml:"actions"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("actions.lock.yaml: %w", err)
	}
	if len(doc.Actions) == 0 {
		return nil, fmt.Errorf("actions.lock.yaml: no actions listed")
	}
	pins := make(map[string]PinnedAction, len(doc.Actions))
	for repo, e := range doc.Actions {
		owner, name, ok := strings.Cut(repo, "/")
		switch {
		case !ok || owner == "" || name == "" || strings.Contains(name, "/"):
			return nil, fmt.Errorf("actions.lock.yaml: %q is not an owner/name repository", repo)
		case !fullSHA.MatchString(e.SHA):
			return nil, fmt.Errorf("actions.lock.yaml: %s: sha %q is not a full 40-hex commit SHA", repo, e.SHA)
		case e.Version == "":
			return nil, fmt.Errorf("actions.lock.yaml: %s: version is missing", repo)
		case strings.TrimSpace(e.Source) == "":
			return nil, fmt.Errorf("actions.lock.yaml: %s: source is missing; say where the SHA came from", repo)
		}
		pins[repo] = PinnedAction{Repository: repo, Version: e.Version, SHA: e.SHA, Source: e.Source}
	}
	return pins, nil
}
