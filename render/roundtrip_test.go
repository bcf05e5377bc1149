package render

import (
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// FuzzMarshalYAMLRoundTrips checks what every consumer of rendered files
// relies on: a string value reads back as exactly that string.
func FuzzMarshalYAMLRoundTrips(f *testing.F) {
	for _, s := range []string{"\n", "\n\n", "\na", "\n\na", "\n a", "\ta\nb", " \ta\nb", "a\n\tb", "a\n", "a\n\n",
		" a\nb", "a \nb", "#a\nb", "- a\nb", "a\r\nb", "a\n\u0085b", "key: v\n", "|\n", ">-\nx", "\u2028\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		data, err := MarshalYAML(map[string]any{"s": s, "l": []any{s}})
		if err != nil {
			return // yaml.v3 refuses some strings (it says so); nothing is written
		}
		var back struct {
			S string   `yaml:"s"`
			L []string `yaml:"l"`
		}
		if err := yaml.Unmarshal(data, &back); err != nil {
			t.Fatalf("%q encodes to %q, which does not parse: %v", s, data, err)
		}
		if back.S != s || len(back.L) != 1 || back.L[0] != s {
			t.Fatalf("%q encodes to %q, which reads back as %q and %q", s, data, back.S, back.L)
		}
	})
}
