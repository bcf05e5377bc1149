package plan

import (
	"encoding/json"
	"io"
)

// JSONFormatVersion is the version of the JSON plan format, documented in
// plan/JSON.md. It changes only when a field is removed or changes
// meaning; new fields may appear within a version.
const JSONFormatVersion = "1"

// JSONReporter writes a plan as one JSON document (plan/JSON.md).
type JSONReporter struct{}

type jsonPlan struct {
	FormatVersion string            `json:"format_version"`
	Platform      string            `json:"platform"`
	Baseline      string            `json:"baseline"`
	HasChanges    bool              `json:"has_changes"`
	Summary       jsonCounts        `json:"summary"`
	Environments  []jsonEnvironment `json:"environments"`
	Changes       []jsonChange      `json:"changes"`
}

type jsonCounts struct {
	Add         int            `json:"add"`
	Change      int            `json:"change"`
	Destroy     int            `json:"destroy"`
	HighestRisk *Risk          `json:"highest_risk"`
	Risk        map[string]int `json:"risk"`
}

type jsonEnvironment struct {
	Name string `json:"name"`
	Tier string `json:"tier"`
	jsonCounts
}

type jsonID struct {
	APIVersion string `json:"api_version"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
}

type jsonChange struct {
	Action   Action          `json:"action"`
	Target   string          `json:"target"`
	Env      string          `json:"env"`
	Tier     string          `json:"tier"`
	Service  string          `json:"service"`
	ID       jsonID          `json:"id"`
	Name     string          `json:"name"`
	File     string          `json:"file"`
	Risk     Risk            `json:"risk"`
	Reason   string          `json:"reason"`
	Conflict string          `json:"conflict,omitempty"`
	Fields   []jsonField     `json:"fields"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

type jsonField struct {
	Path   string          `json:"path"`
	Op     FieldOp         `json:"op"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	Risk   Risk            `json:"risk"`
	Reason string          `json:"reason"`
}

func countsJSON(c Counts) jsonCounts {
	out := jsonCounts{Add: c.Add, Change: c.Change, Destroy: c.Destroy,
		Risk: map[string]int{"high": c.High, "medium": c.Medium, "low": c.Low}}
	if h := c.Highest(); h != "" {
		out.HighestRisk = &h
	}
	return out
}

// rawJSON encodes a generic value; nil encodes as null.
func rawJSON(v any) (json.RawMessage, error) {
	return json.Marshal(v)
}

// Report implements Reporter.
func (r *JSONReporter) Report(w io.Writer, p *Plan) error {
	doc := jsonPlan{
		FormatVersion: JSONFormatVersion,
		Platform:      p.Platform,
		Baseline:      p.Baseline,
		HasChanges:    p.HasChanges(),
		Summary:       countsJSON(p.Summary()),
		Environments:  []jsonEnvironment{},
		Changes:       []jsonChange{},
	}
	for _, e := range p.Environments {
		doc.Environments = append(doc.Environments, jsonEnvironment{Name: e.Name, Tier: string(e.Tier), jsonCounts: countsJSON(p.EnvironmentSummary(e.Name))})
	}
	for _, ch := range p.Changes {
		jc := jsonChange{
			Action: ch.Action, Target: string(ch.Target), Env: ch.Env, Tier: string(ch.Tier), Service: ch.Service,
			ID:   jsonID{APIVersion: ch.ID.APIVersion, Kind: ch.ID.Kind, Namespace: ch.ID.Namespace, Name: ch.ID.Name},
			Name: ch.Name, File: ch.Path, Risk: ch.Risk, Reason: ch.Reason, Conflict: ch.Conflict,
			Fields: []jsonField{},
		}
		var err error
		if jc.Before, err = rawJSON(ch.Before); err != nil {
			return err
		}
		if jc.After, err = rawJSON(ch.After); err != nil {
			return err
		}
		for _, f := range ch.Fields {
			jf := jsonField{Path: f.Path, Op: f.Op, Risk: f.Risk, Reason: f.Reason}
			if f.Op != FieldAdd {
				if jf.Before, err = rawJSON(f.Before); err != nil {
					return err
				}
			}
			if f.Op != FieldRemove {
				if jf.After, err = rawJSON(f.After); err != nil {
					return err
				}
			}
			jc.Fields = append(jc.Fields, jf)
		}
		doc.Changes = append(doc.Changes, jc)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
