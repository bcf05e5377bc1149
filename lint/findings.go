package lint

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/govctl/govctl/schema"
)

// Finding is one rule's verdict on one place in the spec.
type Finding struct {
	RuleID   string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Service is the service the finding is about; empty for the platform
	// or an environment.
	Service string `json:"service,omitempty"`
	// Environments are where the finding holds, in promotion order: the
	// same finding at the same place is reported once for all of them.
	Environments []string `json:"environments"`
	// Path is the dotted field path the rule named: relative to the
	// service when Service is set, else from the spec root.
	Path string `json:"path,omitempty"`
	// Pos is the file:line:col the user set the field at (or the nearest
	// enclosing field), relative to the spec directory.
	Pos schema.Pos `json:"pos"`
	// Suppressed is set when a live exception covers the finding.
	Suppressed bool `json:"suppressed"`
	// Exception is the exception that suppresses the finding.
	Exception *ExceptionRef `json:"exception,omitempty"`
}

// ExceptionRef names the exception that suppresses a finding.
type ExceptionRef struct {
	Reason  string     `json:"reason"`
	Expires string     `json:"expires"`
	Pos     schema.Pos `json:"pos"`
}

// Result is the outcome of linting a spec.
type Result struct {
	// Dir is the spec directory as the caller named it; finding positions
	// are relative to it (Pos.In(Dir) to print them).
	Dir string
	// Now is the time rules and exception expiry were judged at.
	Now time.Time
	// Environments are the environments linted, in promotion order.
	Environments []string
	// FailOn is the lowest severity that fails the run.
	FailOn Severity
	// Findings are sorted by file, line, column and rule id; suppressed
	// findings are included, flagged.
	Findings []Finding
	// Rules are every rule with the spec's configuration, sorted by id.
	Rules []*RuleSetting
	// Skipped are the ids of rules that did not run because they read
	// rendered objects and the caller passed none.
	Skipped []string

	// services maps environment → service → owner, for reporters that
	// list every rule × service checked (JUnit).
	services map[string]map[string]string
}

// Summary counts a result's findings.
type Summary struct {
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Info       int `json:"info"`
	Suppressed int `json:"suppressed"`
}

// Summary counts the unsuppressed findings by severity, and the
// suppressed ones.
func (r *Result) Summary() Summary {
	var s Summary
	for _, f := range r.Findings {
		switch {
		case f.Suppressed:
			s.Suppressed++
		case f.Severity == SeverityError:
			s.Errors++
		case f.Severity == SeverityWarning:
			s.Warnings++
		default:
			s.Info++
		}
	}
	return s
}

// Failed reports whether an unsuppressed finding is at least as serious
// as FailOn: the CLI exits 1 when it is.
func (r *Result) Failed() bool {
	for _, f := range r.Findings {
		if !f.Suppressed && f.Severity.AtLeast(r.FailOn) {
			return true
		}
	}
	return false
}

// setting returns the configuration of rule id, or nil.
func (r *Result) setting(id string) *RuleSetting {
	i := sort.Search(len(r.Rules), func(i int) bool { return r.Rules[i].Rule.ID >= id })
	if i < len(r.Rules) && r.Rules[i].Rule.ID == id {
		return r.Rules[i]
	}
	return nil
}

// merge reports each finding once with every environment it holds in,
// sorted by position and rule id. envOrder ranks environment names.
func mergeFindings(fs []Finding, envOrder []string) []Finding {
	rank := map[string]int{}
	for i, e := range envOrder {
		rank[e] = i
	}
	type key struct {
		rule, sev, msg, svc, path string
		pos                       schema.Pos
		suppressed                bool
		exception                 ExceptionRef
	}
	index := map[key]int{}
	var out []Finding
	for _, f := range fs {
		k := key{rule: f.RuleID, sev: string(f.Severity), msg: f.Message, svc: f.Service, path: f.Path, pos: f.Pos, suppressed: f.Suppressed}
		if f.Exception != nil {
			k.exception = *f.Exception
		}
		if i, ok := index[k]; ok {
			for _, e := range f.Environments {
				if !contains(out[i].Environments, e) {
					out[i].Environments = append(out[i].Environments, e)
				}
			}
			continue
		}
		index[k] = len(out)
		f.Environments = append([]string(nil), f.Environments...)
		out = append(out, f)
	}
	for i := range out {
		envs := out[i].Environments
		sort.Slice(envs, func(a, b int) bool { return rank[envs[a]] < rank[envs[b]] })
	}
	sort.SliceStable(out, func(i, j int) bool { return lessFinding(&out[i], &out[j]) })
	return out
}

func lessFinding(a, b *Finding) bool {
	return cmp.Or(
		comparePos(a.Pos, b.Pos),
		strings.Compare(a.RuleID, b.RuleID),
		strings.Compare(a.Service, b.Service),
		strings.Compare(a.Message, b.Message),
		slices.Compare(a.Environments, b.Environments),
	) < 0
}

// comparePos orders positions by file, line and column.
func comparePos(a, b schema.Pos) int {
	return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
}
