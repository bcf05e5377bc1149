package plan

import (
	"bytes"
	"encoding/json"
	"io"
)

// JSONFormatVersion is the version of the JSON plan format, documented in
// plan/JSON.md. It changes only when a field is removed or changes
// meaning; new fields may appear within a version.
const JSONFormatVersion = "2"

// JSONReporter writes a plan as one JSON document (plan/JSON.md).
type JSONReporter struct{}

type jsonPlan struct {
	FormatVersion string            `json:"format_version"`
	Platform      string            `json:"platform"`
	Baseline      string            `json:"baseline"`
	SpecBaseline  bool              `json:"spec_baseline"`
	HasChanges    bool              `json:"has_changes"`
	Summary       jsonCounts        `json:"summary"`
	Environments  []jsonEnvironment `json:"environments"`
	Changes       []jsonChange      `json:"changes"`
	Objects       []jsonObject      `json:"objects"`
	Findings      []FindingRef      `json:"findings"`
}

type jsonCounts struct {
	Add         int            `json:"add"`
	Change      int            `json:"change"`
	Destroy     int            `json:"destroy"`
	Findings    int            `json:"findings"`
	Objects     int            `json:"objects"`
	HighestRisk *Risk          `json:"highest_risk"`
	Risk        map[string]int `json:"risk"`
}

type jsonEnvironment struct {
	Name string `json:"name"`
	Tier string `json:"tier"`
}

type jsonChange struct {
	Scope        Scope           `json:"scope"`
	Service      string          `json:"service"`
	Environments []string        `json:"environments"`
	Services     []string        `json:"services,omitempty"`
	Path         string          `json:"path"`
	Action       Action          `json:"action"`
	From         json.RawMessage `json:"from"`
	To           json.RawMessage `json:"to"`
	Sensitive    bool            `json:"sensitive,omitempty"`
	Risk         Risk            `json:"risk"`
	Risks        map[string]Risk `json:"risks"`
	Reason       string          `json:"reason"`
	Rule         string          `json:"rule"`
	Pos          string          `json:"pos"`
	Objects      []string        `json:"objects"`
	Finding      *FindingRef     `json:"finding,omitempty"`
}

type jsonID struct {
	APIVersion string `json:"api_version"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
}

type jsonObject struct {
	ObjectID string          `json:"object_id"`
	Action   Action          `json:"action"`
	Target   string          `json:"target"`
	Env      string          `json:"env"`
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
}

func countsJSON(c Counts, objects int) jsonCounts {
	out := jsonCounts{Add: c.Add, Change: c.Change, Destroy: c.Destroy, Findings: c.Findings, Objects: objects,
		Risk: map[string]int{"high": c.High, "medium": c.Medium, "low": c.Low}}
	if h := c.Highest(); h != "" {
		out.HighestRisk = &h
	}
	return out
}

// rawJSON encodes a generic value; nil encodes as null.
func rawJSON(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// Report implements Reporter.
func (r *JSONReporter) Report(w io.Writer, p *Plan) error {
	doc := jsonPlan{
		FormatVersion: JSONFormatVersion,
		Platform:      p.Platform,
		Baseline:      p.Baseline,
		SpecBaseline:  p.SpecBaseline,
		HasChanges:    p.HasChanges(),
		Summary:       countsJSON(p.Summary(), len(p.Objects)),
		Environments:  []jsonEnvironment{},
		Changes:       []jsonChange{},
		Objects:       []jsonObject{},
		Findings:      []FindingRef{},
	}
	for _, e := range p.Environments {
		doc.Environments = append(doc.Environments, jsonEnvironment{Name: e.Name, Tier: string(e.Tier)})
	}
	var err error
	for _, c := range p.Changes {
		jc := jsonChange{Scope: c.Scope, Service: c.Service, Environments: c.Environments, Services: c.Services, Path: c.Path.String(), Action: c.Action,
			Sensitive: c.Sensitive, Risk: c.Risk, Risks: c.Risks, Reason: c.Reason, Rule: c.Rule, Objects: []string{}, Finding: c.Finding}
		if jc.Environments == nil {
			jc.Environments = []string{}
		}
		if jc.Risks == nil {
			jc.Risks = map[string]Risk{}
		}
		if c.Pos.IsValid() {
			jc.Pos = c.Pos.String()
		}
		from, to := c.From, c.To
		if c.Sensitive {
			if from != nil {
				from = SensitiveMarker
			}
			if to != nil {
				to = SensitiveMarker
			}
		}
		if jc.From, err = rawJSON(from); err != nil {
			return err
		}
		if jc.To, err = rawJSON(to); err != nil {
			return err
		}
		for _, o := range c.Objects {
			jc.Objects = append(jc.Objects, o.ObjectID())
		}
		doc.Changes = append(doc.Changes, jc)
	}
	for _, o := range p.Objects {
		jo := jsonObject{ObjectID: o.ObjectID(), Action: o.Action, Target: string(o.Target), Env: o.Env, Service: o.Service,
			ID:   jsonID{APIVersion: o.ID.APIVersion, Kind: o.ID.Kind, Namespace: o.ID.Namespace, Name: o.ID.Name},
			Name: o.Name, File: o.Path, Conflict: o.Conflict, Fields: []jsonField{}}
		// Object values are redacted already (redactSecrets: structurally,
		// then every known literal scrubbed).
		if o.Cause != nil {
			jo.Risk, jo.Reason = o.Cause.Risk, o.Cause.Reason
			if r, ok := o.Cause.Risks[o.Env]; ok {
				jo.Risk = r
			}
		}
		if jo.Before, err = rawJSON(o.Before); err != nil {
			return err
		}
		if jo.After, err = rawJSON(o.After); err != nil {
			return err
		}
		for _, f := range o.Fields {
			jf := jsonField{Path: f.Path, Op: f.Op}
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
			jo.Fields = append(jo.Fields, jf)
		}
		doc.Objects = append(doc.Objects, jo)
	}
	doc.Findings = append(doc.Findings, p.Findings...)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return writeScrubbed(w, p, b.String())
}
