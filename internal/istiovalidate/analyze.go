package istiovalidate

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Message is one message of Istio's analyzers.
type Message struct {
	// Level is "Error", "Warning" or "Info".
	Level string
	// Code is the analyzer message code, such as "IST0101".
	Code string
	// Resource is the object the message is about, "Kind namespace/name";
	// empty for a message about no one object.
	Resource string
	// Text is the message.
	Text string
}

// String is the message as the analyzer prints it.
func (m Message) String() string {
	if m.Resource == "" {
		return fmt.Sprintf("%s [%s] %s", m.Level, m.Code, m.Text)
	}
	return fmt.Sprintf("%s [%s] (%s) %s", m.Level, m.Code, m.Resource, m.Text)
}

// Analysis is what one run of Istio's analyzers reported.
type Analysis struct {
	Messages []Message
	// Errors, Warnings and Infos are the counts of the summary line.
	Errors, Warnings, Infos int
}

// OfLevel returns the messages of one level ("Error", "Warning", "Info").
func (a Analysis) OfLevel(level string) []Message {
	var out []Message
	for _, m := range a.Messages {
		if m.Level == level {
			out = append(out, m)
		}
	}
	return out
}

var (
	analyzeLineRE    = regexp.MustCompile(`^(Error|Warning|Info) \[([A-Z]+[0-9]+)\](?: \(([^)]*)\))? (.*)$`)
	analyzeSummaryRE = regexp.MustCompile(`^([0-9]+) errors, ([0-9]+) warnings, ([0-9]+) infos$`)
)

// Analyze runs every analyzer of `istioctl analyze -A` over the objects in
// paths together, as one cluster's objects (istio-validate -analyze: one
// Pod per Deployment is added as its ReplicaSet would create it, with the
// sidecar where the namespace asks for injection, and Istio's default
// ingress gateway). meshConfig, when not empty, is a MeshConfig file. It
// fails the test only when the tool cannot be built or run or its output
// cannot be read; judge the Analysis.
func Analyze(t testing.TB, meshConfig string, paths ...string) Analysis {
	t.Helper()
	bin, err := toolBinary()
	if err != nil {
		t.Fatalf("istiovalidate: %v", err)
	}
	args := []string{"-analyze"}
	if meshConfig != "" {
		args = append(args, "-meshconfig", meshConfig)
	}
	args = append(append(args, "--"), paths...)
	cmd := exec.CommandContext(t.Context(), bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
			t.Fatalf("istiovalidate: run %s %s: %v\nstderr:\n%s\nstdout:\n%s",
				bin, strings.Join(args, " "), err, stderr.String(), stdout.String())
		}
	}
	a, err := parseAnalysis(stdout.String())
	if err != nil {
		t.Fatalf("istiovalidate: reading the output of istio-validate %s: %v\noutput:\n%s",
			strings.Join(args, " "), err, stdout.String())
	}
	return a
}

// parseAnalysis reads the -analyze output and checks it against its
// summary line.
func parseAnalysis(out string) (Analysis, error) {
	var a Analysis
	summary := false
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\n")
		if line == "" {
			continue
		}
		if summary {
			return a, fmt.Errorf("line after the summary: %q", line)
		}
		if m := analyzeSummaryRE.FindStringSubmatch(line); m != nil {
			a.Errors, _ = strconv.Atoi(m[1])
			a.Warnings, _ = strconv.Atoi(m[2])
			a.Infos, _ = strconv.Atoi(m[3])
			summary = true
			continue
		}
		m := analyzeLineRE.FindStringSubmatch(line)
		if m == nil {
			return a, fmt.Errorf("unexpected line %q", line)
		}
		a.Messages = append(a.Messages, Message{Level: m[1], Code: m[2], Resource: m[3], Text: m[4]})
	}
	if !summary {
		return a, errors.New("no summary line")
	}
	if got := len(a.OfLevel("Error")); got != a.Errors {
		return a, fmt.Errorf("%d error lines, summary says %d", got, a.Errors)
	}
	if got := len(a.OfLevel("Warning")); got != a.Warnings {
		return a, fmt.Errorf("%d warning lines, summary says %d", got, a.Warnings)
	}
	return a, nil
}
