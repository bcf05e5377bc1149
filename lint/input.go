package lint

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// InputFormatVersion is the version of InputDocument. It changes when a
// field is removed or changes meaning; added fields keep the version.
const InputFormatVersion = "1"

// InputDocument is the `input` every rule sees, one per environment (see
// INPUT.md for every field):
//
//	{
//	  "format_version": "1",
//	  "now":         "2026-05-01T12:00:00Z",          // RFC 3339, UTC; the only clock rules have
//	  "environment": {"name": "prod", "tier": "prod", "namespace": "shop-prod", ...},
//	  "platform":    {"name": "shop", "registry": {...}, "configCenter": {...}, ...},
//	  "services":    {"orders": {"owner": "team-orders", "resilience": {...}, ...}},
//	  "objects":     [{"target": "istio", "env": "prod", "service": "orders",
//	                   "path": "...", "id": {"kind": "VirtualService", ...}, "value": {...}}]
//	}
//
// environment, platform and services are schema.Environment,
// schema.Platform and schema.Service (resolved for the environment, every
// default filled in) as JSON. objects are the rendered objects of the
// environment (and those spanning environments) when the caller rendered
// them, else empty.
type InputDocument struct {
	FormatVersion string                     `json:"format_version"`
	Now           string                     `json:"now"`
	Environment   *schema.Environment        `json:"environment"`
	Platform      *schema.Platform           `json:"platform"`
	Services      map[string]*schema.Service `json:"services"`
	Objects       []InputObject              `json:"objects"`
}

// InputObject is a rendered object as rules see it.
type InputObject struct {
	Target  render.Target   `json:"target"`
	Env     string          `json:"env,omitempty"`
	Service string          `json:"service,omitempty"`
	Path    string          `json:"path"`
	ID      render.Identity `json:"id"`
	Value   any             `json:"value,omitempty"`
	// Content is the text of an object written as is (a Nacos entry in
	// its own format); empty for binary content.
	Content string `json:"content,omitempty"`
}

// Input returns the input document rules see for an environment: what
// `govctl lint --print-input --env <env>` prints. objects may be nil.
func Input(m *schema.Model, env string, objects []render.Object, now time.Time) (*InputDocument, error) {
	r, err := m.Resolve(env)
	if err != nil {
		return nil, fmt.Errorf("lint input for %s: %w", env, err)
	}
	return inputFor(r, objects, now), nil
}

func inputFor(r *schema.Resolved, objects []render.Object, now time.Time) *InputDocument {
	doc := &InputDocument{
		FormatVersion: InputFormatVersion,
		Now:           now.UTC().Format(time.RFC3339),
		Environment:   r.Environment,
		Platform:      r.Platform,
		Services:      r.Services,
		Objects:       []InputObject{},
	}
	for _, o := range objects {
		if inEnvironment(o, r.Environment.Name) {
			doc.Objects = append(doc.Objects, inputObject(o))
		}
	}
	return doc
}

// inEnvironment reports whether an object is in the input of env: it
// belongs to env or spans environments.
func inEnvironment(o render.Object, env string) bool {
	return o.Env == "" || o.Env == env
}

// inputObject is a rendered object as rules see it.
func inputObject(o render.Object) InputObject {
	in := InputObject{Target: o.Target, Env: o.Env, Service: o.Service, Path: o.Path, ID: o.ID, Value: o.Value}
	if o.Raw != nil && utf8.Valid(o.Raw) {
		in.Content = string(o.Raw)
	}
	return in
}
