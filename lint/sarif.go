package lint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"
)

// SARIFReporter writes a SARIF 2.1.0 log for GitHub code scanning (and
// other SARIF viewers): one run whose driver lists every rule in force
// (id, title as short description, description as full description,
// remediation as help, severity as default level) and one result per
// finding, located by a repository-relative URI and line/column. Levels:
// error → error, warning → warning, info → note. Suppressed findings carry
// a suppression with the exception's reason.
type SARIFReporter struct {
	ReportOptions
}

// sarifInformationURI is where the SARIF driver points for documentation.
const sarifInformationURI = "https://github.com/govctl/govctl"

var sarifLevels = map[Severity]string{SeverityError: "error", SeverityWarning: "warning", SeverityInfo: "note"}

// Report writes r as SARIF.
func (s *SARIFReporter) Report(w io.Writer, r *Result) error {
	report, err := sarif.New(sarif.Version210)
	if err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	driver := sarif.NewDriver("govctl").WithInformationURI(sarifInformationURI)
	if s.ToolVersion != "" {
		driver.WithVersion(s.ToolVersion)
	}
	run := sarif.NewRun(*sarif.NewTool(driver))
	used := map[string]bool{}
	for _, f := range r.Findings {
		used[f.RuleID] = true
	}
	for _, st := range r.Rules {
		if !st.Enabled && !used[st.Rule.ID] {
			continue
		}
		rule := sarif.NewRule(st.Rule.ID).
			WithName(ruleName(st.Rule.Title)).
			WithShortDescription(sarif.NewMultiformatMessageString(st.Rule.Title)).
			WithDefaultConfiguration(&sarif.ReportingConfiguration{Level: sarifLevels[st.Severity]})
		if st.Rule.Description != "" {
			rule.WithFullDescription(sarif.NewMultiformatMessageString(st.Rule.Description))
		}
		if st.Rule.Remediation != "" {
			rule.WithHelp(&sarif.MultiformatMessageString{Text: &st.Rule.Remediation, Markdown: ptr("**Remediation:** " + st.Rule.Remediation)})
		}
		props := sarif.Properties{"tags": []string{"governance"}, "precision": "very-high"}
		if !st.Rule.Builtin {
			props["tags"] = []string{"governance", "custom"}
		}
		rule.WithProperties(props)
		driver.AddRule(rule)
	}
	for _, f := range r.Findings {
		file := s.file(r, f.Pos)
		region := sarif.NewRegion().WithStartLine(max(f.Pos.Line, 1))
		if f.Pos.Column > 0 {
			region.WithStartColumn(f.Pos.Column)
		}
		res := sarif.NewRuleResult(f.RuleID).
			WithLevel(sarifLevels[f.Severity]).
			WithMessage(sarif.NewTextMessage(f.Message + " " + where(f))).
			WithLocations([]*sarif.Location{sarif.NewLocationWithPhysicalLocation(
				sarif.NewPhysicalLocation().
					WithArtifactLocation(sarif.NewSimpleArtifactLocation(file).WithUriBaseId("%SRCROOT%")).
					WithRegion(region))}).
			WithPartialFingerPrints(map[string]any{"govctlFinding/v1": fingerprint(f, file)})
		props := sarif.Properties{"environments": f.Environments}
		if f.Service != "" {
			props["service"] = f.Service
		}
		if f.Path != "" {
			props["path"] = f.Path
		}
		res.PropertyBag = sarif.PropertyBag{Properties: props}
		if f.Suppressed && f.Exception != nil {
			res.WithSuppression([]*sarif.Suppression{sarif.NewSuppression("inSource").
				WithStatus("accepted").
				WithJustifcation(fmt.Sprintf("%s (expires %s)", f.Exception.Reason, f.Exception.Expires))})
		}
		run.AddResult(res)
	}
	report.AddRun(run)
	return writeSARIF(w, report)
}

// writeSARIF writes the log indented, without the null members go-sarif
// emits for unset optional fields (suppression guid, location), which
// the SARIF schema does not allow.
func writeSARIF(w io.Writer, report *sarif.Report) error {
	var buf bytes.Buffer
	if err := report.Write(&buf); err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	var doc any
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(dropNulls(doc))
}

func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if x == nil {
				delete(v, k)
				continue
			}
			v[k] = dropNulls(x)
		}
	case []any:
		for i, x := range v {
			v[i] = dropNulls(x)
		}
	}
	return v
}

// ruleName turns a rule title into the PascalCase identifier SARIF's
// reportingDescriptor.name asks for.
func ruleName(title string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(word[:1]) + word[1:])
	}
	return b.String()
}

// fingerprint identifies a finding across runs whatever line it moves to,
// so code scanning keeps one alert per finding.
func fingerprint(f Finding, file string) string {
	h := sha256.Sum256([]byte(strings.Join([]string{f.RuleID, file, f.Service, f.Path, f.Message}, "\x00")))
	return hex.EncodeToString(h[:16])
}

func ptr[T any](v T) *T { return &v }
