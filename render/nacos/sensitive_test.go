package nacos

import (
	"regexp"
	"strings"
	"testing"

	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/internal/secret"
)

func testMatcher() *secret.Matcher {
	m := secret.NewMatcher(secret.Patterns{
		Key:         regexp.MustCompile(`(?i)(password|secret|token|api_?key|private_?key)$`),
		Placeholder: regexp.MustCompile(`\$\{[^}]+\}`),
	})
	m.MarkKeys("orders", "dsn", "content")
	return m
}

// TestRedactedContentKeepsItsShapeAndSaysWhatChanged renders config data in
// every format with Content, as govctl writes entries, and checks that the
// redacted versions hide every secret, short ones included, say which one
// changed, and leave the rest of the text as it was.
func TestRedactedContentKeepsItsShapeAndSaysWhatChanged(t *testing.T) {
	base := map[string]any{
		"db":        map[string]any{"password": "pw1", "maxOpen": 50, "dsn": "app:s3cr@t/x"},
		"apiKey":    "sk_live_\"quoted\"",
		"token":     "${TOKEN}",
		"providers": []any{map[string]any{"name": "a", "secret": "line one\nline two\n"}},
	}
	head := map[string]any{
		"db":        map[string]any{"password": "pw2", "maxOpen": 60, "dsn": "app:s3cr@t/x"},
		"apiKey":    "sk_live_\"quoted\"",
		"token":     "${TOKEN}",
		"providers": []any{map[string]any{"name": "a", "secret": "line one\nline 2\n"}},
	}
	m := testMatcher()
	data := fieldpath.New("config", "data")
	sensitive := func(p fieldpath.Path, v any) bool { return m.SensitiveValue("orders", data.Append(p...), v) }
	for _, format := range []string{TypeYAML, TypeJSON, TypeProperties} {
		t.Run(format, func(t *testing.T) {
			old, err := Content(format, base)
			if err != nil {
				t.Fatal(err)
			}
			new, err := Content(format, head)
			if err != nil {
				t.Fatal(err)
			}
			ro, rn := secret.RedactPair(old, new, SensitiveValues(format, old, sensitive), SensitiveValues(format, new, sensitive))
			for _, leak := range []string{"pw1", "pw2", "s3cr", "sk_live", "line one", "line two", "line 2"} {
				if strings.Contains(ro, leak) || strings.Contains(rn, leak) {
					t.Errorf("%q leaks:\n%s\n---\n%s", leak, ro, rn)
				}
			}
			for _, keep := range []string{"${TOKEN}", "50", "maxOpen"} {
				if !strings.Contains(ro, keep) {
					t.Errorf("old lost %q:\n%s", keep, ro)
				}
			}
			if !strings.Contains(rn, "60") {
				t.Errorf("new lost a plain value:\n%s", rn)
			}
			// password and the multi-line secret changed; dsn and apiKey did not.
			if n := strings.Count(rn, secret.Changed); n != 2 {
				t.Errorf("new says %d values changed, want 2:\n%s", n, rn)
			}
			if strings.Contains(ro, secret.Changed) {
				t.Errorf("old side says changed:\n%s", ro)
			}
			if n := strings.Count(rn, secret.Marker); n != 2 {
				t.Errorf("new marks %d unchanged values, want 2 (dsn, apiKey):\n%s", n, rn)
			}
		})
	}
}

func TestRedactedJSONStaysJSONShaped(t *testing.T) {
	content, err := Content(TypeJSON, map[string]any{"db": map[string]any{"password": "pw1", "port": 3306}})
	if err != nil {
		t.Fatal(err)
	}
	m := testMatcher()
	spans := SensitiveValues(TypeJSON, content, func(p fieldpath.Path, v any) bool {
		return m.SensitiveValue("orders", fieldpath.New("config", "data").Append(p...), v)
	})
	got, _ := secret.RedactPair(content, "", spans, nil)
	if !strings.Contains(got, `"password": "(sensitive value)"`) || !strings.Contains(got, `"port": 3306`) {
		t.Errorf("redacted json:\n%s", got)
	}
}

func TestTextContentMarkedSensitiveIsHiddenWhole(t *testing.T) {
	m := testMatcher()
	spans := SensitiveValues(TypeText, "user=app\npass=hunter2\n", func(p fieldpath.Path, v any) bool {
		return m.SensitiveValue("orders", fieldpath.New("config", "data").Append(p...), v)
	})
	got, _ := secret.RedactPair("user=app\npass=hunter2\n", "", spans, nil)
	if got != secret.Marker {
		t.Errorf("text content = %q", got)
	}
}

func TestRedactorHidesTheSecretsOfAPrunedEntry(t *testing.T) {
	redact := Redactor(nil, testMatcher(), nil)
	old, new := redact("prod/nacos/shop-prod/DEFAULT_GROUP/orders.yaml", []byte("db:\n  password: pw1\n  maxOpen: 5\n"), nil)
	if string(old) != "db:\n  password: (sensitive value)\n  maxOpen: 5\n" || new != nil {
		t.Errorf("pruned entry = %q, %q", old, new)
	}
	other, _ := redact("prod/kratos/orders/config.yaml", []byte("password: pw1\n"), nil)
	if string(other) != "password: pw1\n" {
		t.Errorf("a file that is no entry was read as one: %q", other)
	}
}
