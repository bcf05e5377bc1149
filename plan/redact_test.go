package plan

import (
	"regexp"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/render"
)

// TestRedactSecretsKeepsTheChangeAndHidesTheValue rates a plan's changes
// on real values first, then hides them: the structural redaction hides a
// secret too short for any text scrubbing, and a change of one secret to
// another still reads as a change.
func TestRedactSecretsKeepsTheChangeAndHidesTheValue(t *testing.T) {
	m := secret.NewMatcher(secret.Patterns{Key: regexp.MustCompile(`(?i)password$`)})
	m.AddLiterals("long-known-literal")
	changes := []*ObjectChange{{
		Action: ActionUpdate, Target: render.TargetNacos, Env: "prod", Service: "orders",
		Before: map[string]any{"db": map[string]any{"password": "pw1", "max": 1}},
		After:  map[string]any{"db": map[string]any{"password": "pw2", "max": 2}},
		Fields: []FieldDiff{
			{Path: "db.max", Op: FieldChange, Before: 1, After: 2, segments: []any{"db", "max"}},
			{Path: "db.password", Op: FieldChange, Before: "pw1", After: "pw2", segments: []any{"db", "password"}},
			{Path: "db", Op: FieldAdd, After: map[string]any{"password": "pw3"}, segments: []any{"db"}},
		},
	}, {
		Action: ActionCreate, Target: render.TargetKratos, Env: "prod", Service: "orders",
		After: map[string]any{"note": "has long-known-literal inside"},
	}}
	redactSecrets(changes, m)
	ch := changes[0]
	if ch.Fields[0].Before != 1 || ch.Fields[0].After != 2 {
		t.Errorf("a plain field was redacted: %+v", ch.Fields[0])
	}
	if f := ch.Fields[1]; f.Before != secret.Marker || f.After != secret.Changed {
		t.Errorf("password change = %v → %v, want %s → %s", f.Before, f.After, secret.Marker, secret.Changed)
	}
	if got := ch.Fields[2].After.(map[string]any)["password"]; got != secret.Marker {
		t.Errorf("an added subtree kept its secret: %v", got)
	}
	if got := ch.After.(map[string]any)["db"].(map[string]any)["password"]; got != secret.Marker {
		t.Errorf("the whole object kept its secret: %v", got)
	}
	if strings.Contains(changes[1].After.(map[string]any)["note"].(string), "long-known-literal") {
		t.Errorf("a known literal was not scrubbed: %v", changes[1].After)
	}
	if len(changes) != 2 || len(ch.Fields) != 3 {
		t.Error("redaction dropped a change")
	}
}

func TestRedactSecretsOfALiveOnlyEntry(t *testing.T) {
	m := secret.NewMatcher(secret.Patterns{Key: regexp.MustCompile(`(?i)password$`)})
	changes := []*ObjectChange{{
		Action: ActionDelete, Target: render.TargetNacos, Env: "prod",
		Before: map[string]any{"db": map[string]any{"password": "live-only-old", "max": 1}},
	}}
	redactSecrets(changes, m)
	db := changes[0].Before.(map[string]any)["db"].(map[string]any)
	if db["password"] != secret.Marker || db["max"] != 1 {
		t.Errorf("live-only entry = %v", db)
	}
}

// TestRedactSecretsInsideAnEmbeddedDocument: a document held in a string
// is diffed field by field, and its fields are redacted as fields under
// the string, so that a password key inside it is hidden by key, and a
// known literal read back as a number is still scrubbed.
func TestRedactSecretsInsideAnEmbeddedDocument(t *testing.T) {
	m := secret.NewMatcher(secret.Patterns{Key: regexp.MustCompile(`(?i)password$`)})
	m.AddLiterals("31415926535")
	before := map[string]any{"extra": "db:\n  password: pw1\n  pin: 31415926535\n  max: 1\n"}
	after := map[string]any{"extra": "db:\n  password: pw2\n  pin: 31415926536\n  max: 2\n"}
	changes := []*ObjectChange{{
		Action: ActionUpdate, Target: render.TargetNacos, Env: "prod", Service: "orders",
		Before: before, After: after, Fields: diffTrees(before, after),
	}}
	redactSecrets(changes, m)
	got := lines(changes[0].Fields)
	want := "~ extra › db.max: 1 → 2\n" +
		"~ extra › db.password: \"(sensitive value)\" → \"(sensitive value changed)\"\n" +
		"~ extra › db.pin: \"(sensitive value)\" → 31415926536\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
