package secret

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/fieldpath"
)

// rulePatterns are GOV-SEC-003's defaults; package lint tests that the
// Matcher it builds reads the rule's own METADATA.
func rulePatterns() Patterns {
	return Patterns{
		Key:         regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key|private_?key|credentials?)$`),
		Value:       regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://)?[^:/@\s]+:[^@\s/]+@`),
		Placeholder: regexp.MustCompile(`\$\{[^}]+\}`),
	}
}

func path(t *testing.T, s string) fieldpath.Path {
	t.Helper()
	p, err := fieldpath.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSensitiveByKeyUnderConfigDataOnly(t *testing.T) {
	m := NewMatcher(rulePatterns())
	m.MarkKeys("orders", "dsn")
	for _, tc := range []struct {
		service, path string
		want          bool
	}{
		{"orders", "config.data.db.password", true},
		{"orders", "config.data.providers[1].apiKey", true},
		{"orders", "config.data.credentials.user", true}, // under a secret key
		{"orders", "config.data.db.dsn", true},           // marked by the spec
		{"cart", "config.data.db.dsn", false},            // marked by another service
		{"orders", "config.data.passwordPolicy.minLength", false},
		{"orders", "config.data.tokenTTL", false},
		{"orders", "config.dataId", false},
		{"orders", "owner", false},
		{"orders", "dependencies.password.timeout", false}, // not config data
	} {
		if got := m.Sensitive(tc.service, path(t, tc.path)); got != tc.want {
			t.Errorf("Sensitive(%s, %s) = %v, want %v", tc.service, tc.path, got, tc.want)
		}
	}
}

func TestPlaceholdersStayVisibleUnlessMarked(t *testing.T) {
	m := NewMatcher(rulePatterns())
	m.MarkKeys("orders", "dsn")
	for _, tc := range []struct {
		path string
		v    any
		want bool
	}{
		{"config.data.db.password", "hunter2", true},
		{"config.data.db.password", "${DB_PASSWORD}", false},
		{"config.data.db.password", "", false},
		{"config.data.db.dsn", "mysql://app:${DB_PASSWORD}@mysql/orders", true}, // marked: always
		{"config.data.db.url", "app:s3cret@tcp(mysql:3306)/orders", true},       // valuePattern
		{"config.data.db.url", "mysql://app:${DB_PASSWORD}@mysql/orders", false},
		{"config.data.notify", "ops@acme.io", false},
		{"config.data.useSecret", true, false}, // the rule reads strings only
		{"config.data.db.dsn", 42, true},       // marked: any value
	} {
		if got := m.SensitiveValue("orders", path(t, tc.path), tc.v); got != tc.want {
			t.Errorf("SensitiveValue(%s, %v) = %v, want %v", tc.path, tc.v, got, tc.want)
		}
	}
}

func TestRedactReplacesOnlySensitiveLeaves(t *testing.T) {
	m := NewMatcher(rulePatterns())
	in := map[string]any{
		"db": map[string]any{"password": "hunter2", "maxOpen": 50, "user": "app"},
		"providers": []any{
			map[string]any{"name": "a", "apiKey": "sk_live_123"},
			map[string]any{"name": "b", "apiKey": "${B_KEY}"},
		},
	}
	got := m.Redact("orders", fieldpath.New("config", "data"), in)
	want := map[string]any{
		"db": map[string]any{"password": Marker, "maxOpen": 50, "user": "app"},
		"providers": []any{
			map[string]any{"name": "a", "apiKey": Marker},
			map[string]any{"name": "b", "apiKey": "${B_KEY}"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Redact = %#v\nwant %#v", got, want)
	}
	if in["db"].(map[string]any)["password"] != "hunter2" {
		t.Error("Redact modified its input")
	}
	// A whole config block, as a plan shows a service.
	svc := map[string]any{"config": map[string]any{"data": in}, "owner": "hunter2"}
	red := m.Redact("orders", nil, svc).(map[string]any)
	if red["config"].(map[string]any)["data"].(map[string]any)["db"].(map[string]any)["password"] != Marker {
		t.Errorf("Redact from the service root kept the password: %v", red)
	}
	if red["owner"] != "hunter2" {
		t.Error("Redact hid a value outside config.data that is not a known literal")
	}
}

func TestCollectAndLiterals(t *testing.T) {
	m := NewMatcher(rulePatterns())
	m.Collect("orders", fieldpath.New("config", "data"), map[string]any{
		"password": "hunter2",
		"key":      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n",
		"token":    "${TOKEN}",
		"pin":      "abc", // too short to scrub
		"quoted":   "ignored",
		"apiKey":   `a"b\c`,
	})
	m.MarkKeys("orders", "key")
	m.Collect("orders", fieldpath.New("config", "data"), map[string]any{"key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n"})
	m.AddLiterals("ghp_token123")
	got := m.Literals()
	want := []string{
		"-----BEGIN PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n",
		"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n",
		"-----END PRIVATE KEY-----",
		"MIIEvQIBADANBg",
		`a"b\c`,
		`a\"b\\c`,
		"ghp_token123",
		"hunter2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Literals =\n%q\nwant\n%q", got, want)
	}
}

func TestMergeTakesTheOtherModelsSecrets(t *testing.T) {
	base, head := NewMatcher(rulePatterns()), NewMatcher(rulePatterns())
	base.AddLiterals("old-secret")
	base.MarkKeys("orders", "dsn")
	head.Merge(base)
	if !head.Sensitive("orders", path(t, "config.data.dsn")) || !strings.Contains(strings.Join(head.Literals(), ","), "old-secret") {
		t.Errorf("Merge lost the base's secrets: %v", head.Literals())
	}
}

func TestNilMatcherTreatsNothingAsSensitive(t *testing.T) {
	var m *Matcher
	if m.Sensitive("orders", path(t, "config.data.password")) || m.SensitiveValue("orders", path(t, "config.data.password"), "x") {
		t.Error("nil Matcher found a secret")
	}
	if got := m.Redact("orders", nil, "x"); got != "x" {
		t.Errorf("nil Redact = %v", got)
	}
	if m.Literals() != nil || m.Scrub("abc") != "abc" {
		t.Error("nil Matcher scrubbed")
	}
}

func TestScrubStringReplacesLongestFirst(t *testing.T) {
	got := ScrubString("pw=hunter2 pw2=hunter2x short=ab", "hunter2", "hunter2x", "ab")
	if want := "pw=" + Marker + " pw2=" + Marker + " short=ab"; got != want {
		t.Errorf("ScrubString = %q, want %q", got, want)
	}
}

func TestScrubberCatchesLiteralsSplitAcrossWrites(t *testing.T) {
	lits := []string{"hunter2", "abcdef", "defg", "s3cret-token-value"}
	text := "a: hunter2\nb: xxabcdefgh defg\nc: s3cret-token-value hunter hunter2"
	want := ScrubString(text, lits...)
	if strings.Contains(want, "hunter2") || strings.Contains(want, "s3cret") {
		t.Fatalf("ScrubString left a literal: %q", want)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		var buf bytes.Buffer
		s := NewScrubber(&buf, lits...)
		rest := text
		for rest != "" {
			n := 1 + rnd.IntN(min(len(rest), 9))
			if _, err := s.Write([]byte(rest[:n])); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		for _, l := range []string{"hunter2", "s3cret-token-value", "abcdef"} {
			if strings.Contains(buf.String(), l) {
				t.Fatalf("Scrubber leaked %q: %q", l, buf.String())
			}
		}
		if buf.String() != want {
			t.Fatalf("Scrubber wrote %q, want %q", buf.String(), want)
		}
	}
}

func TestScrubberWithoutLiteralsPassesThrough(t *testing.T) {
	var buf bytes.Buffer
	s := NewScrubber(&buf, "ab")
	s.Write([]byte("ab cd"))
	if buf.String() != "ab cd" {
		t.Errorf("wrote %q before Flush", buf.String())
	}
}
