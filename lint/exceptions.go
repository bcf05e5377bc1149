package lint

import (
	"fmt"
	"strings"
	"time"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/schema"
)

// An exception (services.<name>.exceptions) waives one rule for one service,
// in the environments it lists (all when empty), with a reason, through
// its expires date (YYYY-MM-DD, inclusive, UTC).

// dateLayout is the layout of an exception's expires date.
const dateLayout = "2006-01-02"

// exceptionLive reports whether the exception is in force on now's date.
func exceptionLive(e schema.Exception, now time.Time) bool {
	if _, err := time.Parse(dateLayout, e.Expires); err != nil {
		return false
	}
	return now.UTC().Format(dateLayout) <= e.Expires
}

func exceptionCovers(e schema.Exception, rule, env string) bool {
	return e.Rule == rule && (len(e.Environments) == 0 || contains(e.Environments, env))
}

// exceptionPos is where the user wrote a service's i-th exception (field
// is rule or expires, the part a finding about it is about).
func exceptionPos(m *schema.Model, service string, i int, field string) schema.Pos {
	return posOf(m, fieldpath.New("services", service, "exceptions").Index(i).Field(field))
}

// suppress marks f suppressed when a live exception of svc covers it.
func suppress(m *schema.Model, f *Finding, svc *schema.Service, env string, now time.Time) {
	if svc == nil || f.RuleID == RuleExpiredException || f.RuleID == RuleUnknownException {
		return
	}
	for i, e := range svc.Exceptions {
		if exceptionCovers(e, f.RuleID, env) && exceptionLive(e, now) {
			f.Suppressed = true
			f.Exception = &ExceptionRef{Reason: e.Reason, Expires: e.Expires, Pos: exceptionPos(m, svc.Name, i, "rule")}
			return
		}
	}
}

// exceptionFindings judges the exceptions of the services of one
// environment: an expired one is a GOV-EXC-001 finding, one naming an
// unknown rule or environment a GOV-EXC-002 finding, each at the
// exception's file:line.
func exceptionFindings(m *schema.Model, r *schema.Resolved, ruleIDs []string, now time.Time) []Finding {
	env := r.Environment.Name
	envNames := m.EnvironmentNames()
	var out []Finding
	for _, name := range r.ServiceNames() {
		svc := r.Services[name]
		for i, e := range svc.Exceptions {
			add := func(rule, field, msg string) {
				out = append(out, Finding{
					RuleID: rule, Message: msg, Service: name, Environments: []string{env},
					Path: fmt.Sprintf("exceptions[%d].%s", i, field), Pos: exceptionPos(m, name, i, field),
				})
			}
			// An environment that does not exist is wrong wherever the
			// linting happens; the rest only where the exception applies.
			for _, en := range e.Environments {
				if m.Environments[en] == nil {
					add(RuleUnknownException, "environments", fmt.Sprintf("exception for %s names unknown environment %q (defined: %s)%s", e.Rule, en, strings.Join(envNames, ", "), diag.DidYouMean(en, envNames)))
				}
			}
			if len(e.Environments) > 0 && !contains(e.Environments, env) {
				continue
			}
			if !contains(ruleIDs, e.Rule) {
				add(RuleUnknownException, "rule", fmt.Sprintf("exception names unknown rule %s%s", e.Rule, diag.DidYouMean(e.Rule, ruleIDs)))
			}
			if _, err := time.Parse(dateLayout, e.Expires); err != nil {
				add(RuleExpiredException, "expires", fmt.Sprintf("exception for %s: expires %q is not a date (want YYYY-MM-DD); it waives nothing", e.Rule, e.Expires))
			} else if !exceptionLive(e, now) {
				add(RuleExpiredException, "expires", fmt.Sprintf("exception for %s expired on %s; its findings are reported again (reason was: %s)", e.Rule, e.Expires, e.Reason))
			}
		}
	}
	return out
}
