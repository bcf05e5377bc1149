package plan

import (
	"encoding/json"
	"reflect"

	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/render"
)

// redactSecrets hides every sensitive value of object changes, once they
// are compared and attached to the spec changes that cause them: a Nacos
// entry's config data structurally (the value at a sensitive path becomes
// secret.Marker, and secret.Changed on the side that changed), and every
// string of every change is scrubbed of the literals the matcher knows, as
// defence in depth (a text entry's content). The secrets met in Nacos
// entries are added to m's literals, for the caller's Scrubber. Spec
// changes are flagged Sensitive instead (markSensitive) and reports never
// show their values.
func redactSecrets(changes []*ObjectChange, m *secret.Matcher) {
	if m == nil {
		return
	}
	data := fieldpath.New("config", "data")
	// The secrets of either side are literals to scrub from then on: the
	// live server's, which no spec on disk holds, included.
	for _, ch := range changes {
		if ch.Target == render.TargetNacos {
			m.Collect(ch.Service, data, ch.Before)
			m.Collect(ch.Service, data, ch.After)
		}
	}
	lits := m.Literals()
	for _, ch := range changes {
		// A Nacos entry's tree is its config data. An entry only the live
		// server holds (a Nacos baseline's leftover) names no service: the
		// rule's key and value patterns still find its secrets, which no
		// spec on disk knows as literals.
		structural := ch.Target == render.TargetNacos
		if structural {
			ch.Before = m.Redact(ch.Service, data, ch.Before)
			ch.After = m.Redact(ch.Service, data, ch.After)
		}
		ch.Before, ch.After = scrubTree(ch.Before, lits), scrubTree(ch.After, lits)
		ch.Conflict = secret.ScrubString(ch.Conflict, lits...)
		for j := range ch.Fields {
			f := &ch.Fields[j]
			before, after := f.Before, f.After
			if structural {
				p := data.Append(selectors(f.segments)...)
				before, after = m.Redact(ch.Service, p, before), m.Redact(ch.Service, p, after)
			}
			before, after = scrubTree(before, lits), scrubTree(after, lits)
			redacted := !reflect.DeepEqual(before, f.Before) || !reflect.DeepEqual(after, f.After)
			if redacted && f.Op == FieldChange && reflect.DeepEqual(before, after) {
				// Both sides hide to the same marker: say it changed.
				after = secret.Changed
			}
			f.Before, f.After = before, after
		}
	}
}

// selectors converts a field diff's segments to a field path; a set
// element stands for the list it belongs to.
func selectors(segs []any) []fieldpath.Selector {
	out := make([]fieldpath.Selector, 0, len(segs))
	for _, s := range segs {
		switch t := s.(type) {
		case string:
			out = append(out, fieldpath.Field(t))
		case int:
			out = append(out, fieldpath.Idx(t))
		case documentSegment:
			// A field of a document held in a string is, for redaction, a
			// field under it: a password key inside is still a password.
		default:
			return out
		}
	}
	return out
}

// scrubTree returns v with every string leaf scrubbed of lits.
func scrubTree(v any, lits []string) any {
	if len(lits) == 0 {
		return v
	}
	switch t := v.(type) {
	case string:
		return secret.ScrubString(t, lits...)
	case json.Number:
		// A number read from an embedded document was text in the file:
		// a literal written there is hidden as it was before.
		if s := secret.ScrubString(t.String(), lits...); s != t.String() {
			return s
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = scrubTree(e, lits)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = scrubTree(e, lits)
		}
		return out
	}
	return v
}
