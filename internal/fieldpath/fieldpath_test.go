package fieldpath

import (
	"testing"
)

func TestStringQuotesLabelsThatAreNotIdentifiers(t *testing.T) {
	for _, tc := range []struct {
		path Path
		want string
	}{
		{New("services", "orders", "timeout"), "services.orders.timeout"},
		{New("services", "my-svc", "timeout"), `services."my-svc".timeout`},
		{New("services", "orders", "exceptions").Index(0).Field("rule"), "services.orders.exceptions[0].rule"},
		{New("services", "orders", "env", "prod", "resilience"), "services.orders.env.prod.resilience"},
		{New("#Service", "_hidden", "a b"), `#Service._hidden."a b"`},
		{New("9lives"), `"9lives"`},
		{Path{}, ""},
	} {
		if got := tc.path.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestParseReadsWhatStringPrints(t *testing.T) {
	for _, p := range []Path{
		New("services", "orders", "timeout"),
		New("services", "my-svc", "dependencies", "pay.ments", "timeout"),
		New("services", "orders", "exceptions").Index(12).Field("rule"),
		New("environments", "prod", "canary", "steps").Index(0),
		New(`q"uote`),
	} {
		got, err := Parse(p.String())
		if err != nil {
			t.Fatalf("Parse(%q): %v", p, err)
		}
		if !got.Equal(p) {
			t.Errorf("Parse(%q) = %#v, want %#v", p, got, p)
		}
	}
}

func TestParseAcceptsUnquotedDashes(t *testing.T) {
	got, err := Parse("services.my-svc.timeout")
	if err != nil {
		t.Fatal(err)
	}
	if want := New("services", "my-svc", "timeout"); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParseRejectsMalformedPaths(t *testing.T) {
	for _, s := range []string{"a..b", ".a", "a.", "[0]", "a[x]", "a[-1]", "a[1", `a"b"`, `"a`, "a.[0]"} {
		if p, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", s, p)
		}
	}
}

func TestHasPrefixAndAppendDoNotAlias(t *testing.T) {
	base := make(Path, 0, 8)
	base = append(base, Field("services"), Field("orders"))
	a := base.Field("timeout")
	b := base.Field("owner")
	if a.String() != "services.orders.timeout" || b.String() != "services.orders.owner" {
		t.Fatalf("Append aliased: %v %v", a, b)
	}
	if !a.HasPrefix(base) || a.HasPrefix(b) || base.HasPrefix(a) {
		t.Error("HasPrefix wrong")
	}
	if !a.HasPrefix(nil) {
		t.Error("every path has the empty prefix")
	}
	if got := a.Parent(); !got.Equal(base) {
		t.Errorf("Parent = %v", got)
	}
	if a.Last() != Field("timeout") {
		t.Errorf("Last = %v", a.Last())
	}
}
