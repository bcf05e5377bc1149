package render

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// headed gives n a head comment.
func headed(comment string, n *yaml.Node) *yaml.Node {
	n.HeadComment = comment
	return n
}

// lined gives n a line comment.
func lined(comment string, n *yaml.Node) *yaml.Node {
	n.LineComment = comment
	return n
}

func literal(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.LiteralStyle}
}

// TestEmitterWritesCommentsAsYAMLv3Does places head comments (root, keys,
// sequence items) and line comments (scalar values and items) where
// render/github puts them and around them; yaml.v3 must write the
// expected bytes, the emitter the same, without falling back.
func TestEmitterWritesCommentsAsYAMLv3Does(t *testing.T) {
	flowEmpty := mapping()
	flowEmpty.Style = yaml.FlowStyle
	tests := []struct {
		name  string
		nodes []*yaml.Node
		want  string
	}{
		{"a root head comment goes above the first key",
			[]*yaml.Node{headed("# Code generated.\n#\n# Builds it.", mapping(key("name"), str("x")))},
			"# Code generated.\n#\n# Builds it.\nname: x\n"},
		{"comment lines without # get '# '",
			[]*yaml.Node{headed("one\n two\n#three", mapping(key("a"), str("b")))},
			"# one\n#  two\n#three\na: b\n"},
		{"an empty comment line stays empty",
			[]*yaml.Node{headed("a\n\nb", mapping(key("k"), mapping(key("l"), str("v"))))},
			"# a\n\n# b\nk:\n  l: v\n"},
		{"a comment ending in a line break gets no other",
			[]*yaml.Node{headed("a\n", mapping(key("k"), str("v")))},
			"# a\nk: v\n"},
		{"a key's head comment is at the key's indent",
			[]*yaml.Node{mapping(key("a"), str("1"), headed("# about b\n# more", key("b")), mapping(headed("# first", key("c")), str("2"), headed("# second", key("d")), str("3")))},
			"a: \"1\"\n# about b\n# more\nb:\n  # first\n  c: \"2\"\n  # second\n  d: \"3\"\n"},
		{"head comments at depth 3 and 4",
			[]*yaml.Node{mapping(key("a"), mapping(key("b"), mapping(headed("c comment", key("c")), mapping(headed("d comment\nsecond line", key("d")), str("v")))))},
			"a:\n  b:\n    # c comment\n    c:\n      # d comment\n      # second line\n      d: v\n"},
		{"the first key of a sequence item's mapping has its comment after the dash",
			[]*yaml.Node{mapping(key("steps"), sequence(mapping(headed("# first key", key("name")), str("a"), key("run"), str("b")), mapping(key("name"), str("c"))))},
			"steps:\n  - # first key\n    name: a\n    run: b\n  - name: c\n"},
		{"a later key of a sequence item's mapping has its own line",
			[]*yaml.Node{sequence(mapping(key("name"), str("a"), headed("# about run\n# two", key("run")), str("b")))},
			"- name: a\n  # about run\n  # two\n  run: b\n"},
		{"a sequence item's head comment goes above its dash",
			[]*yaml.Node{mapping(key("jobs"), mapping(key("deploy"), mapping(key("steps"), sequence(
				mapping(key("name"), str("a")),
				headed("# Runs when a step failed,\n# once recorded.", mapping(key("name"), str("Roll back"), key("if"), str("failure()"))),
				headed("# item", mapping(headed("# and key", key("name")), str("b"))),
				headed("# scalar item", str("s")),
			))))},
			"jobs:\n  deploy:\n    steps:\n      - name: a\n      # Runs when a step failed,\n      # once recorded.\n      - name: Roll back\n        if: failure()\n      # item\n      - # and key\n        name: b\n      # scalar item\n      - s\n"},
		{"items of a sequence in a sequence",
			[]*yaml.Node{sequence(headed("# outer", sequence(headed("# inner", str("x")), str("y"))))},
			"# outer\n- # inner\n  - x\n  - \"y\"\n"},
		{"a line comment follows a value",
			[]*yaml.Node{mapping(key("uses"), lined("v4.2.2", str("actions/checkout@abc")), key("q"), lined("# quoted", str("yes")), key("n"), lined("n", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "3"}))},
			"uses: actions/checkout@abc # v4.2.2\nq: \"yes\" # quoted\n\"n\": 3 # n\n"},
		{"a line comment on a value whose key has a head comment",
			[]*yaml.Node{mapping(key("steps"), sequence(mapping(key("name"), str("Check out"), headed("# pinned", key("uses")), lined("v4.2.2", str("actions/checkout@abc")))))},
			"steps:\n  - name: Check out\n    # pinned\n    uses: actions/checkout@abc # v4.2.2\n"},
		{"a line comment on a sequence item and an empty value",
			[]*yaml.Node{mapping(key("on"), mapping(key("workflow_dispatch"), lined("manual", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"})), key("l"), sequence(lined("c", str("x"))))},
			"\"on\":\n  workflow_dispatch: # manual\nl:\n  - x # c\n"},
		{"a line comment on a literal goes after its header",
			[]*yaml.Node{mapping(key("run"), lined("script", literal("a\nb\n")), key("lead"), lined("lead", literal("\nx")), key("seq"), sequence(lined("item", literal("y\n"))))},
			"run: | # script\n  a\n  b\nlead: |2- # lead\n\n  x\nseq:\n  - | # item\n    y\n"},
		{"a multi-line line comment continues at the collection's indent",
			[]*yaml.Node{mapping(key("a"), mapping(key("b"), lined("one\ntwo", str("v")), key("c"), sequence(lined("three\nfour", str("w")))))},
			"a:\n  b: v # one\n  # two\n  c:\n    - w # three\n    # four\n"},
		{"at indent 0 a line comment's second line follows an empty one",
			[]*yaml.Node{mapping(key("a"), lined("one\ntwo\nthree", str("v")), key("b"), str("w"))},
			"a: v # one\n\n# two\n# three\nb: w\n"},
		{"comments around an empty flow mapping",
			[]*yaml.Node{headed("top", mapping(headed("none", key("permissions")), flowEmpty, key("after"), lined("c", str("x"))))},
			"# top\n# none\npermissions: {}\nafter: x # c\n"},
		{"comments in the documents of a stream",
			[]*yaml.Node{headed("one", mapping(key("a"), str("b"))), headed("two", mapping(headed("k", key("c")), lined("l", str("d"))))},
			"# one\na: b\n---\n# two\n# k\nc: d # l\n"},
		{"non-ASCII comments and other line breaks are copied",
			[]*yaml.Node{headed("dev → prod\r\nnext\u2028last", mapping(key("k"), lined("é", str("v"))))},
			"# dev → prod\r\n# next\u2028# last\nk: v # é\n"},
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
			if len(tt.nodes) == 1 {
				one, err := EncodeYAMLNode(tt.nodes[0])
				if err != nil || string(one) != tt.want {
					t.Errorf("EncodeYAMLNode wrote %q, %v", one, err)
				}
			}
		})
	}
}

// TestFallbackKeepsCommentsYAMLv3CarriesToTheNextDocument checks that a
// stream stays exact when yaml.v3 writes a document whose comment it
// holds over: a mapping's line comment comes out in the next document.
func TestFallbackKeepsCommentsYAMLv3CarriesToTheNextDocument(t *testing.T) {
	held := lined("held", mapping(key("a"), str("b")))
	checkEmitMatches(t, mapping(key("first"), str("doc")), mapping(key("k"), held), mapping(key("next"), str("doc")), mapping(key("last"), str("doc")))
	one, err := EncodeYAMLNode(mapping(key("k"), held))
	want, wantErr := encodeYAMLv3([]*yaml.Node{mapping(key("k"), held)})
	if string(one) != string(want) || err != nil || wantErr != nil {
		t.Errorf("EncodeYAMLNode wrote %q (%v), yaml.v3 %q (%v)", one, err, want, wantErr)
	}
}

// commentTree builds a node tree from fuzz input: shape's bytes choose
// kinds, sizes, scalar tags and styles, and where comments go; words
// (NUL-separated) are the keys, values and comments. Comments go mostly
// where the emitter writes them (keys, sequence items, the root, scalar
// values) and sometimes where it leaves the document to yaml.v3 (values'
// head comments, keys' and collections' line comments).
type commentTree struct {
	shape []byte
	words []string
	next  int
	nodes int
}

func (c *commentTree) byte() byte {
	if len(c.shape) == 0 {
		return 0
	}
	b := c.shape[0]
	c.shape = c.shape[1:]
	return b
}

func (c *commentTree) word() string {
	w := c.words[c.next%len(c.words)]
	c.next++
	return w
}

// comment is a word as a comment: yaml.v3 panics on comments that are not
// UTF-8, so they are made valid.
func (c *commentTree) comment() string {
	return strings.ToValidUTF8(c.word(), "?")
}

func (c *commentTree) scalar(b byte) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c.word()}
	switch b % 6 {
	case 1:
		n.Style = yaml.DoubleQuotedStyle
	case 2:
		n.Style = yaml.LiteralStyle
	case 3:
		n.Tag, n.Value = "!!int", "42"
	case 4:
		n.Tag, n.Value = "!!null", ""
	case 5:
		n.Tag, n.Value = "!!bool", "true"
	}
	return n
}

// node builds a node; item reports a sequence item, key a mapping key.
func (c *commentTree) node(depth int, item bool) *yaml.Node {
	c.nodes++
	b := c.byte()
	var n *yaml.Node
	switch kind := b % 4; {
	case kind == 0 || depth > 5 || c.nodes > 200:
		n = c.scalar(b >> 2)
	case kind == 1:
		n = mapping()
		for range int(c.byte() % 4) {
			k := key(c.word())
			if f := c.byte(); f%3 == 1 {
				k.HeadComment = c.comment()
			} else if f%16 == 2 {
				k.LineComment = c.comment()
			}
			n.Content = append(n.Content, k, c.node(depth+1, false))
		}
	case kind == 2:
		n = sequence()
		for range int(c.byte() % 4) {
			n.Content = append(n.Content, c.node(depth+1, true))
		}
	default:
		n = mapping()
		n.Style = yaml.FlowStyle
	}
	f := c.byte()
	if (item || depth == 0 || f%16 == 3) && f%3 == 1 {
		n.HeadComment = c.comment()
	}
	if (n.Kind == yaml.ScalarNode || f%16 == 5) && f%5 == 2 {
		n.LineComment = c.comment()
	}
	return n
}

// FuzzEmitCommentsMatchYAMLv3 compares the emitter with yaml.v3 on trees
// with comments, one document alone and in a stream.
func FuzzEmitCommentsMatchYAMLv3(f *testing.F) {
	f.Add([]byte{1, 3, 4, 2, 0, 9, 1, 2, 2, 1, 0, 4, 1}, "a\x00# b\x00c\nd\x00v4.2.2")
	f.Add([]byte{2, 2, 1, 2, 4, 0, 1, 6, 2, 0, 1, 1, 1}, "name\x00# Runs when\n#\n# more\x00x\x00y\n")
	f.Add([]byte{1, 2, 1, 1, 1, 1, 0, 2, 4, 1, 5, 1, 3, 7, 1}, "k\x00\x00 \x00#\x00a\r\nb\x00é → x")
	f.Add([]byte{6, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 7, 12, 16}, "deep\x00one\ntwo\x00|\x00'q'\x00-")
	f.Fuzz(func(t *testing.T, shape []byte, text string) {
		c := &commentTree{shape: shape, words: strings.Split(text, "\x00")}
		n := c.node(0, false)
		checkEmitMatches(t, n)
		checkEmitMatches(t, mapping(key("before"), str("x")), n, c.node(0, false), n)
		got, gotErr := EncodeYAMLNode(n)
		want, wantErr := encodeYAMLv3([]*yaml.Node{n})
		if string(got) != string(want) || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("EncodeYAMLNode wrote %q (%v), yaml.v3 %q (%v)", got, gotErr, want, wantErr)
		}
	})
}
