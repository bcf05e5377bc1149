package lint

import (
	"fmt"
	"strings"
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
	return "", fmt.Errorf("unknown severity %q (want error, warning or info)", s)
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
