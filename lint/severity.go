package lint

import (
	"fmt"
	"strings"

	"github.com/govctl/govctl/internal/diag"
)

// Severity is how serious a finding is.
type Severity string

// The severities, most serious first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Severities lists every severity, most serious first.
var Severities = []Severity{SeverityError, SeverityWarning, SeverityInfo}

// ParseSeverity returns the severity named s ("error", "warning", "info").
func ParseSeverity(s string) (Severity, error) {
	switch sev := Severity(strings.ToLower(strings.TrimSpace(s))); sev {
	case SeverityError, SeverityWarning, SeverityInfo:
		return sev, nil
	}
	return "", fmt.Errorf("unknown severity %q (want error, warning or info)%s", s, diag.DidYouMean(s, []string{"error", "warning", "info"}))
}

func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// AtLeast reports whether s is as serious as t or more.
func (s Severity) AtLeast(t Severity) bool { return s.rank() >= t.rank() }

// Scope is what a rule reads besides the model.
type Scope string

// The scopes a rule can declare in METADATA custom.scope.
const (
	// ScopeModel rules read the platform, environment and services.
	ScopeModel Scope = "model"
	// ScopeObjects rules also read the rendered objects (input.objects);
	// they run only when the caller passes Options.Objects.
	ScopeObjects Scope = "objects"
)

// Reads is how much of the platform a rule reads to decide about one
// service: what a lint of some files (a pre-commit hook) must show it.
type Reads string

// The values of METADATA custom.reads.
const (
	// ReadsConnected rules decide about a service from the service, the
	// services connected to it through dependencies and fallbacks (its
	// callers and callees, transitively), their rendered objects, the
	// platform and the environment. A lint of a few service files gives
	// them only that part of the platform.
	ReadsConnected Reads = "connected"
	// ReadsPlatform rules may read every service (a platform-wide total,
	// a name unique across services); a lint of some files still gives
	// them the whole platform. The default.
	ReadsPlatform Reads = "platform"
)
