package lint

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// JUnitReporter writes JUnit XML for CI test views: one testsuite per
// environment, one testcase per rule × service the rule checked there
// (and rule × platform for findings about no service). A finding at or
// above FailOn is a failure; one below it is the testcase's system-out; a
// suppressed one (with ShowSuppressed) marks the testcase skipped.
type JUnitReporter struct {
	ReportOptions
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// Report writes r as JUnit XML.
func (j *JUnitReporter) Report(w io.Writer, r *Result) error {
	doc := junitSuites{Name: "govctl lint"}
	for _, env := range r.Environments {
		type key struct{ rule, service string }
		cases := map[key]*junitCase{}
		get := func(k key) *junitCase {
			c := cases[k]
			if c == nil {
				class := k.service
				if class == "" {
					class = "platform"
				}
				c = &junitCase{Classname: class, Name: k.rule}
				if st := r.setting(k.rule); st != nil && st.Rule.Title != k.rule {
					c.Name = k.rule + ": " + st.Rule.Title
				}
				cases[k] = c
			}
			return c
		}
		owners := r.services[env]
		for _, st := range r.Rules {
			if !st.AppliesIn(env) || contains(r.Skipped, st.Rule.ID) {
				continue
			}
			for svc, owner := range owners {
				if st.appliesTo(svc, owner) {
					get(key{st.Rule.ID, svc})
				}
			}
		}
		for _, f := range j.visible(r) {
			if !contains(f.Environments, env) {
				continue
			}
			c := get(key{f.RuleID, f.Service})
			loc := fmt.Sprintf("%s:%d:%d", j.file(r, f.Pos), f.Pos.Line, f.Pos.Column)
			if c.File == "" {
				c.File, c.Line = j.file(r, f.Pos), f.Pos.Line
			}
			line := fmt.Sprintf("%s: %s: %s", loc, f.Severity, f.Message)
			switch {
			case f.Suppressed:
				if c.Skipped == nil {
					reason := "suppressed by an exception"
					if f.Exception != nil {
						reason = fmt.Sprintf("suppressed until %s: %s", f.Exception.Expires, f.Exception.Reason)
					}
					c.Skipped = &junitSkipped{Message: reason}
				}
			case f.Severity.AtLeast(r.FailOn):
				if c.Failure == nil {
					c.Failure = &junitFailure{Message: f.Message, Type: string(f.Severity)}
				}
				c.Failure.Text += line + "\n"
			default:
				c.SystemOut += line + "\n"
			}
		}
		suite := junitSuite{Name: env}
		keys := make([]key, 0, len(cases))
		for k := range cases {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(a, b int) bool {
			if keys[a].rule != keys[b].rule {
				return keys[a].rule < keys[b].rule
			}
			return keys[a].service < keys[b].service
		})
		for _, k := range keys {
			c := cases[k]
			c.SystemOut = junitText(c.SystemOut)
			if c.Failure != nil {
				c.Failure.Text = junitText(c.Failure.Text)
				// A failure outranks a suppressed finding of the same case.
				c.Skipped = nil
				suite.Failures++
			} else if c.Skipped != nil {
				suite.Skipped++
			}
			suite.Cases = append(suite.Cases, *c)
		}
		suite.Tests = len(suite.Cases)
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Skipped += suite.Skipped
		doc.Suites = append(doc.Suites, suite)
	}
	if len(r.Skipped) > 0 {
		suite := junitSuite{Name: "not run"}
		for _, id := range r.Skipped {
			suite.Cases = append(suite.Cases, junitCase{Classname: "govctl", Name: id,
				Skipped: &junitSkipped{Message: "reads rendered objects, which were not given"}})
		}
		suite.Tests, suite.Skipped = len(suite.Cases), len(suite.Cases)
		doc.Tests += suite.Tests
		doc.Skipped += suite.Skipped
		doc.Suites = append(doc.Suites, suite)
	}
	ew := &errWriter{w: w}
	ew.printf("%s", xml.Header)
	if ew.err != nil {
		return ew.err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitText trims trailing newlines of accumulated case output.
func junitText(s string) string { return strings.TrimRight(s, "\n") }
