package main

import (
	"context"
	"sync"

	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/plan"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// scrubSecrets routes the command's output and error streams through
// Scrubbers of the sensitive literals, as defence in depth behind the
// structural redaction of plan, diff and apply: whatever a command or its
// error prints, a known secret reaches neither the terminal nor a CI log.
// run flushes them when the command ends.
func (s *IOStreams) scrubSecrets(literals []string) {
	if len(literals) == 0 {
		return
	}
	out, errOut := secret.NewScrubber(s.Out, literals...), secret.NewScrubber(s.ErrOut, literals...)
	s.Out, s.ErrOut = out, errOut
	s.flushers = append(s.flushers, out.Flush, errOut.Flush)
}

// flush writes what the Scrubbers hold back, the innermost first.
func (s *IOStreams) flush() {
	for i := len(s.flushers) - 1; i >= 0; i-- {
		s.flushers[i]()
	}
	s.flushers = nil
}

// modelSecrets returns the model's secret matcher and scrubs the command's
// streams of its literals and of extra ones (a password read from stdin).
func modelSecrets(ios *IOStreams, m *schema.Model, extra ...string) (*secret.Matcher, error) {
	matcher, err := lint.SecretMatcher(m)
	if err != nil {
		return nil, err
	}
	matcher.AddLiterals(extra...)
	ios.scrubSecrets(matcher.Literals())
	return matcher, nil
}

// baselineSecrets wraps a plan's render function so that every other model
// it renders (the specs at the git base) adds its secrets to matcher: a
// plan shows the values of both sides, and a secret the change removes is
// a secret still.
func baselineSecrets(fn plan.RenderFunc, head *schema.Model, matcher *secret.Matcher) plan.RenderFunc {
	var mu sync.Mutex
	return func(ctx context.Context, m *schema.Model) ([]render.Object, error) {
		if m != head {
			base, err := lint.SecretMatcher(m)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			matcher.Merge(base)
			mu.Unlock()
		}
		return fn(ctx, m)
	}
}
