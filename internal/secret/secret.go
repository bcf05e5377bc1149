// Package secret is govctl's one definition of a sensitive value, and the
// redaction every output that shows values applies to it.
//
// A value is sensitive when the secret rule GOV-SEC-003 treats its config
// key as a secret (the rule's effective pattern parameter), when the spec
// marks its key sensitive (config.sensitive), when it carries a password
// whatever its key (the rule's valuePattern, a DSN such as
// user:password@host), or when it is a credential a live-system client holds
// (a Nacos password or access token, a GitHub token). Package lint builds the
// Matcher from a model (lint.SecretMatcher), so the rule and the redaction
// read the same parameters.
//
// Two layers: structural redaction (Matcher.Redact, Matcher.SensitiveValue)
// where the value's place in the spec is known, so outputs say
// "(sensitive value changed)"; and a Scrubber that replaces every known
// sensitive literal in text written through it, as defence in depth for
// outputs that embed values as text (a Nacos entry's content, an error
// message quoting a CUE conflict).
package secret

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/govctl/govctl/internal/fieldpath"
)

// Marker replaces a sensitive value wherever govctl shows one, as
// Terraform does.
const Marker = "(sensitive value)"

// Changed is what a diff says of a sensitive value that changed.
const Changed = "(sensitive value changed)"

// MinScrubLength is the shortest literal a Scrubber replaces: shorter
// strings ("on", "80") occur in any text, and scrubbing them would garble
// outputs without hiding anything. Structural redaction hides sensitive
// values of any length.
const MinScrubLength = 4

// Patterns are the secret rule's parameters (GOV-SEC-003's pattern,
// valuePattern and placeholderPattern), compiled.
type Patterns struct {
	// Key matches config keys whose values are secrets.
	Key *regexp.Regexp
	// Value matches values that carry a secret whatever their key.
	Value *regexp.Regexp
	// Placeholder matches a value resolved at run time: not a literal.
	Placeholder *regexp.Regexp
}

// Matcher decides which values are sensitive. The zero of *Matcher (nil)
// treats nothing as sensitive; every method is safe to call on it.
type Matcher struct {
	patterns Patterns
	// keys are the config keys each service marks sensitive.
	keys map[string]map[string]bool
	// literals are the sensitive literal values known.
	literals map[string]bool
}

// NewMatcher returns a Matcher for the rule's patterns; a nil pattern
// matches nothing.
func NewMatcher(p Patterns) *Matcher {
	return &Matcher{patterns: p, keys: map[string]map[string]bool{}, literals: map[string]bool{}}
}

// configData is the path under which a service's config data lives.
var configData = fieldpath.New("config", "data")

// MarkKeys marks the config keys of a service sensitive, as its
// config.sensitive lists them: every value under such a key, at any depth
// of config.data, is sensitive, placeholders included.
func (m *Matcher) MarkKeys(service string, keys ...string) {
	if len(keys) == 0 {
		return
	}
	if m.keys[service] == nil {
		m.keys[service] = map[string]bool{}
	}
	for _, k := range keys {
		m.keys[service][k] = true
	}
}

// AddLiterals records sensitive values known by other means than their
// place in the spec (a client's password or token), for Literals and Scrub.
func (m *Matcher) AddLiterals(values ...string) {
	for _, v := range values {
		if v != "" {
			m.literals[v] = true
		}
	}
}

// Sensitive reports whether the values at path (relative to the resolved
// service, e.g. config.data.db.password) are secrets by their key: a key
// at or above the leaf, under config.data, matches the rule's pattern or
// is one the service marks sensitive. Values that carry a secret whatever
// their key are recognised by SensitiveValue.
func (m *Matcher) Sensitive(service string, path fieldpath.Path) bool {
	return m.byPattern(path) || m.byMark(service, path)
}

func (m *Matcher) byPattern(path fieldpath.Path) bool {
	if m == nil || m.patterns.Key == nil || !path.HasPrefix(configData) {
		return false
	}
	for _, s := range path[len(configData):] {
		if !s.IsIndex && m.patterns.Key.MatchString(s.Name) {
			return true
		}
	}
	return false
}

func (m *Matcher) byMark(service string, path fieldpath.Path) bool {
	if m == nil || len(m.keys[service]) == 0 || !path.HasPrefix(configData) {
		return false
	}
	for _, s := range path[len(configData):] {
		if !s.IsIndex && m.keys[service][s.Name] {
			return true
		}
	}
	return false
}

// SensitiveValue reports whether the leaf value v at path is shown
// redacted: its key is one the service marks sensitive (any value but
// null); or its key matches the rule's pattern and v is a literal string,
// as the rule reads it (a placeholder such as
// "${DB_PASSWORD}" is not a secret, and reviewers need to see it replace a
// literal); or v is a literal string matching the rule's valuePattern (a
// DSN with a password); or v is a sensitive literal recorded with
// AddLiterals.
func (m *Matcher) SensitiveValue(service string, path fieldpath.Path, v any) bool {
	if m == nil {
		return false
	}
	if v == nil {
		return false
	}
	if m.byMark(service, path) {
		return true
	}
	s, isString := v.(string)
	if !isString {
		return false
	}
	if m.byPattern(path) {
		return m.literal(s)
	}
	if m.patterns.Value != nil && path.HasPrefix(configData) && m.literal(s) && m.patterns.Value.MatchString(s) {
		return true
	}
	return m.literals[s]
}

// literal is the rule's literal(): a non-empty string with no placeholder.
func (m *Matcher) literal(s string) bool {
	return s != "" && (m.patterns.Placeholder == nil || !m.patterns.Placeholder.MatchString(s))
}

// Redact returns v with every sensitive leaf under path replaced by
// Marker. v is not modified; maps and lists are copied where they hold a
// sensitive leaf.
func (m *Matcher) Redact(service string, path fieldpath.Path, v any) any {
	if m == nil {
		return v
	}
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = m.Redact(service, path.Field(k), e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = m.Redact(service, path.Index(i), e)
		}
		return out
	}
	if m.SensitiveValue(service, path, v) {
		return Marker
	}
	return v
}

// Collect records every sensitive leaf value of v (at path of service)
// as a literal, for Literals and Scrub. Only strings are recorded: a
// number or boolean is redacted where its place is known, but scrubbing
// "true" or "50" from every line of a text would garble it.
func (m *Matcher) Collect(service string, path fieldpath.Path, v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			m.Collect(service, path.Field(k), e)
		}
	case []any:
		for i, e := range t {
			m.Collect(service, path.Index(i), e)
		}
	case nil:
	default:
		if !m.SensitiveValue(service, path, v) {
			return
		}
		if s, ok := v.(string); ok {
			m.AddLiterals(s)
		}
	}
}

// Literals returns every sensitive literal the Matcher knows, sorted, with
// the forms outputs write it in: as is, escaped as in a JSON or YAML
// double-quoted string, and each line of a multi-line value. Literals
// shorter than MinScrubLength are left out.
func (m *Matcher) Literals() []string {
	if m == nil {
		return nil
	}
	set := map[string]bool{}
	add := func(s string) {
		if len(s) >= MinScrubLength {
			set[s] = true
		}
	}
	for l := range m.literals {
		add(l)
		if b, err := json.Marshal(l); err == nil {
			add(string(b[1 : len(b)-1]))
		}
		if strings.Contains(l, "\n") {
			for line := range strings.Lines(l) {
				add(strings.TrimSpace(line))
			}
		}
	}
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Merge adds other's marked keys and literals to m (patterns stay m's):
// a plan shows values of two models, base and head, and hides the secrets
// of both.
func (m *Matcher) Merge(other *Matcher) {
	if m == nil || other == nil {
		return
	}
	for svc, keys := range other.keys {
		for k := range keys {
			m.MarkKeys(svc, k)
		}
	}
	for l := range other.literals {
		m.literals[l] = true
	}
}

// Scrub replaces every sensitive literal the Matcher knows in s by Marker.
func (m *Matcher) Scrub(s string) string {
	return ScrubString(s, m.Literals()...)
}
