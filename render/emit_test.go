package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// emitBoth writes nodes as one stream with the emitter and with yaml.v3.
func emitBoth(nodes ...*yaml.Node) (got, want []byte, gotErr, wantErr error) {
	s := emitStream{}
	for _, n := range nodes {
		if gotErr = s.encode(n); gotErr != nil {
			break
		}
	}
	want, wantErr = encodeYAMLv3(nodes)
	return s.buf, want, gotErr, wantErr
}

// checkEmitMatches fails t unless the emitter writes nodes as yaml.v3 does,
// failing the same way when yaml.v3 fails.
func checkEmitMatches(t testing.TB, nodes ...*yaml.Node) {
	t.Helper()
	got, want, gotErr, wantErr := emitBoth(nodes...)
	if wantErr != nil || gotErr != nil {
		if gotErr == nil || wantErr == nil || gotErr.Error() != wantErr.Error() {
			t.Fatalf("emitter error %v, yaml.v3 error %v", gotErr, wantErr)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("emitter wrote\n%q\nyaml.v3 wrote\n%q", got, want)
	}
}

func mapping(kv ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: kv}
}

func sequence(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

func str(s string) *yaml.Node { return stringNode(s, false) }

func key(s string) *yaml.Node { return stringNode(s, true) }

// contexts places one string in every position the emitter treats
// differently: a key and a value at several depths, sequence items under a
// mapping and under a sequence, and as a raw node in each scalar style.
func contexts(s string) []*yaml.Node {
	var styled []*yaml.Node
	for _, style := range []yaml.Style{0, yaml.DoubleQuotedStyle, yaml.LiteralStyle} {
		styled = append(styled, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: style})
	}
	return []*yaml.Node{
		mapping(key(s), str(s)),
		mapping(key("a"), mapping(key(s), str(s), key("z"), str("after"))),
		mapping(key("list"), sequence(str(s), sequence(str(s), mapping(key(s), str(s))), mapping(key("x"), str(s)))),
		sequence(str(s), sequence(sequence(str(s))), mapping(key("k"), str(s))),
		mapping(key("styled"), sequence(styled...), key("deep"), mapping(key("er"), sequence(styled...))),
		mapping(key("k"), styled[0], key("l"), styled[1], key("m"), styled[2]),
		str(s),
	}
}

// trickyStrings are the values where YAML's quoting and block rules bite.
var trickyStrings = []string{
	"", " ", "a", "plain value", "~", "null", "Null", "true", "False", "yes", "no", "on", "<<", "=",
	"1e3", "1.0", "0755", "0o17", "0x1F", "1_000", "1:20", "1.2.3", ".5", "-1", "+1", "+.inf", "-.inf", ".nan", ".bashrc", "-foo",
	"30s", "1.5s", "10ms", "2024-01-31", "2024-01-31T10:00:00Z", "2024-01-31 10:00:00", "1,5",
	"a: b", "a:b", "a:", ":a", ":", "a #b", "a#b", "#comment", "- item", "-", "--", "---", "---x", "...", "...x", "? q", "?q", "?",
	"*alias", "&anchor", "!tag", "|pipe", ">fold", "'single'", `"double"`, "%percent", "@at", "`tick`",
	",comma", "[bracket]", "{brace}", "a,b", "a[b]", "it's", `back\slash`, `q"uote`,
	" leading", "trailing ", "two  spaces", "tab\there", "\ttab", "trailing tab\t",
	"a\n", "a\n\n", "\n", "\n\n", "\na", "\n\na\n", "  indented\nsecond", " x\n", "a\nb", "a\nb\n", "a \nb", "a\n \nb", "a\n  b\n",
	"a\r\nb", "cr\r", "x\x00y", "bell\x07", "esc\x1b", "del\x7f",
	"é", "ünïcödé value", "日本語", "emoji 😀", "\ufeffbom", "a\ufeff", "nel\u0085x", "ls\u2028x", "ps\u2029x", "nbsp\u00a0x", "\u00a0",
	"\xff\xfe", "a\xc3", "multi\nline é\n",
	strings.Repeat("long ", 40), strings.Repeat("k", 128), strings.Repeat("k", 129), strings.Repeat("x\n", 30),
}

func TestEmitterMatchesYAMLv3ForTrickyStrings(t *testing.T) {
	for _, s := range trickyStrings {
		for _, n := range contexts(s) {
			checkEmitMatches(t, n)
		}
		checkEmitMatches(t, contexts(s)...)
	}
}

func TestEmitterMatchesYAMLv3ForNumbersBoolsAndNull(t *testing.T) {
	scalar := func(tag, v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v} }
	var items []*yaml.Node
	for _, v := range []string{"0", "-0", "7", "-12", "123456789012345678", "1234567890123456789", "12345678901234567890123", "007"} {
		items = append(items, scalar("!!int", v))
	}
	for _, v := range []string{"1.5", "-0.25", "1.0e+07", "1.0e-07", "1.0e+400", "1.0e-400", "5", "1.", "1e5", ".5", "-1.0E+2"} {
		items = append(items, scalar("!!float", v))
	}
	items = append(items, scalar("!!bool", "true"), scalar("!!bool", "false"), scalar("!!bool", "yes"),
		scalar("!!null", "null"), scalar("!!null", "~"), scalar("!!null", ""))
	for _, n := range items {
		checkEmitMatches(t, mapping(key("k"), n, key("l"), sequence(n, n)))
		checkEmitMatches(t, mapping(&yaml.Node{Kind: yaml.ScalarNode, Tag: n.Tag, Value: n.Value}, str("v")))
	}
}

func TestEmitterWritesStructureAsYAMLv3Does(t *testing.T) {
	tests := []struct {
		name  string
		nodes []*yaml.Node
		want  string
	}{
		{"nested mappings indent by two", []*yaml.Node{mapping(key("a"), mapping(key("b"), mapping(key("c"), str("d"))))},
			"a:\n  b:\n    c: d\n"},
		{"sequences under a key are indented", []*yaml.Node{mapping(key("a"), sequence(str("x"), str("z")))},
			"a:\n  - x\n  - z\n"},
		{"mappings and sequences in items share the dash line",
			[]*yaml.Node{sequence(mapping(key("a"), str("1"), key("b"), str("2")), sequence(str("x"), str("z")))},
			"- a: \"1\"\n  b: \"2\"\n- - x\n  - z\n"},
		{"empty collections are flow", []*yaml.Node{mapping(key("m"), mapping(), key("s"), sequence(), key("l"), sequence(mapping(), sequence()))},
			"m: {}\ns: []\nl:\n  - {}\n  - []\n"},
		{"an empty root is flow", []*yaml.Node{mapping()}, "{}\n"},
		{"documents after the first start with ---", []*yaml.Node{mapping(key("a"), str("b")), sequence(), mapping(key("c"), str("d\n"))},
			"a: b\n---\n[]\n---\nc: |\n  d\n"},
		{"a literal is indented to its depth", []*yaml.Node{mapping(key("a"), sequence(mapping(key("b"), str("x\n  y\n"))))},
			"a:\n  - b: |\n      x\n        y\n"},
		{"a literal's leading line break ends its header line", []*yaml.Node{mapping(key("k"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.LiteralStyle, Value: "\na"})},
			"k: |2-\n  a\n"},
		{"a leading line break is double-quoted, not a literal that would lose it", []*yaml.Node{mapping(key("k"), str("\na"))},
			"k: \"\\na\"\n"},
		{"a literal keeps trailing line breaks", []*yaml.Node{mapping(key("k"), str("a\n\n"), key("l"), str("b"))},
			"k: |+\n  a\n\nl: b\n"},
		{"a literal with a space before a line break is double-quoted", []*yaml.Node{mapping(key("k"), str("a \nb"))},
			"k: \"a \\nb\"\n"},
		{"a string that is not plain is single-quoted", []*yaml.Node{mapping(key("a: b"), str("it's #1 # really"))},
			"'a: b': 'it''s #1 # really'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := documentFallbacks.Load()
			got, want, gotErr, wantErr := emitBoth(tt.nodes...)
			if gotErr != nil || wantErr != nil {
				t.Fatal(gotErr, wantErr)
			}
			if string(want) != tt.want {
				t.Fatalf("yaml.v3 writes %q, the test expects %q", want, tt.want)
			}
			if string(got) != tt.want {
				t.Errorf("emitter wrote %q, want %q", got, tt.want)
			}
			if n := documentFallbacks.Load() - before; n != 0 {
				t.Errorf("%d documents fell back to yaml.v3", n)
			}
		})
	}
}

func TestEmitterLeavesShapesItDoesNotWriteToYAMLv3(t *testing.T) {
	footed := str("v")
	footed.FootComment = "note"
	headed := str("v")
	headed.HeadComment = "note"
	keyLine := key("k")
	keyLine.LineComment = "note"
	lineMapping := mapping(key("a"), str("b"))
	lineMapping.LineComment = "note"
	headMapping := mapping(key("a"), str("b"))
	headMapping.HeadComment = "note"
	anchored := str("v")
	anchored.Anchor = "a"
	flow := sequence(str("x"))
	flow.Style = yaml.FlowStyle
	tagged := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!custom", Value: "v"}
	single := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "v", Style: yaml.SingleQuotedStyle}
	tests := []struct {
		name string
		node *yaml.Node
	}{
		{"a foot comment", mapping(key("k"), footed)},
		{"a head comment on a value", mapping(key("k"), headed)},
		{"a line comment on a key", mapping(keyLine, str("v"))},
		{"a line comment on a mapping", mapping(key("k"), lineMapping)},
		{"a head comment on a mapping value", mapping(key("k"), headMapping)},
		{"an anchor", mapping(key("k"), anchored)},
		{"flow style", mapping(key("k"), flow)},
		{"a custom tag", mapping(key("k"), tagged)},
		{"single-quoted style", mapping(key("k"), single)},
		{"a key over 128 bytes", mapping(key(strings.Repeat("k", 129)), str("v"))},
		{"a key with a line break", mapping(key("a\nb"), str("v"))},
		{"a key with a carriage return", mapping(key("a\rb"), str("v"))},
		{"a sequence as a key", mapping(sequence(str("x")), str("v"))},
		{"a root scalar", str("top")},
		{"a document node", &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{mapping(key("k"), str("v"))}}},
		{"invalid UTF-8", mapping(key("k\xff"), str("v"))},
		{"nil", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := documentFallbacks.Load()
			checkEmitMatches(t, mapping(key("first"), str("doc")), tt.node, mapping(key("last"), str("doc")))
			if documentFallbacks.Load() == before {
				t.Error("the document did not go through yaml.v3")
			}
		})
	}
}

func TestConcurrentEncodingAgreesWithYAMLv3(t *testing.T) {
	var objs []Object
	for i, s := range trickyStrings {
		if !utf8.ValidString(s) {
			continue // an error either way, tested with the fallbacks
		}
		objs = append(objs, Object{Target: TargetKratos, Path: "f" + string(rune('a'+i%7)) + ".yaml",
			Value: map[string]any{"k": s, s: []any{s, map[string]any{"n": i}}}})
	}
	got, err := EncodeObjects(objs)
	if err != nil {
		t.Fatal(err)
	}
	want, err := encodeObjects(objs, newYAMLv3Stream)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if !bytes.Equal(got[i].Data, want[i].Data) {
			t.Errorf("%s:\n got %q\nwant %q", got[i].Path, got[i].Data, want[i].Data)
		}
	}
}

// fuzzTree builds nodes from raw bytes: NUL-separated strings placed as
// keys, values and items at several depths.
func fuzzTree(data []byte) []*yaml.Node {
	parts := strings.Split(string(data), "\x00")
	at := func(i int) string { return parts[i%len(parts)] }
	var kv []*yaml.Node
	for i := range parts {
		kv = append(kv, key(at(i)), str(at(i+1)))
	}
	tree := mapping(
		key("flat"), mapping(kv...),
		key("list"), sequence(str(at(0)), sequence(str(at(1)), mapping(key(at(2)), str(at(3)))), mapping(key("x"), sequence(str(at(4))))),
		key("styled"), sequence(
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: at(0)},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: at(1), Style: yaml.DoubleQuotedStyle},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: at(2), Style: yaml.LiteralStyle},
		),
	)
	return []*yaml.Node{tree, mapping(key(at(0)), mapping(key(at(1)), str(at(2))))}
}

// FuzzEmitMatchesYAMLv3 compares the emitter with yaml.v3 on node trees
// built from JSON (as typed values are) and from raw strings.
func FuzzEmitMatchesYAMLv3(f *testing.F) {
	for _, data := range jsonNodeCases {
		f.Add([]byte(data), false)
	}
	for _, s := range trickyStrings {
		f.Add([]byte(s), true)
		if data, err := json.Marshal(map[string]any{"k": s, s: []any{s, map[string]any{s: s}}}); err == nil {
			f.Add(data, false)
		}
	}
	f.Add([]byte(strings.Join(trickyStrings[:40], "\x00")), true)
	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		if raw {
			checkEmitMatches(t, fuzzTree(data)...)
			return
		}
		n, ok := jsonNode(data)
		if !ok || n == nil {
			return
		}
		checkEmitMatches(t, n)
		checkEmitMatches(t, n, mapping(key("next"), n), sequence(n))
	})
}
