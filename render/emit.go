package render

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// This file writes the YAML for the node trees valueNode builds, byte for
// byte as gopkg.in/yaml.v3's Encoder with SetIndent(2) writes them, without
// the encoder's event machinery, which was the largest single cost of
// rendering a large platform. Block structure (indentation, "- ", "{}",
// "[]", document separators) follows yaml.v3's emitter (emitterc.go). A
// scalar is written directly only where its yaml.v3 form is certain (the
// fast paths in scalar and key); any other scalar is written by yaml.v3
// itself once and remembered. A node this file does not know how to write
// makes the whole document go through yaml.v3.
//
// The rules are those of gopkg.in/yaml.v3 v3.0.1 (encode.go, emitterc.go,
// resolve.go); the differential and fuzz tests in emit_test.go compare
// every byte with it. Its line width is unlimited (best_width -1), so no
// scalar is ever folded.
//
// Comments are written where yaml.v3 puts them for the shapes renderers
// use (render/github's workflows): a head comment on the root node, on a
// mapping key or on a sequence item, and a line comment on a scalar value
// or item. Any other comment (a foot comment, a head comment on a mapping
// value, a line comment on a key or a collection) makes the document go
// through yaml.v3, whose placement of those depends on the events around
// them.

// EncodeYAMLNode writes n as one YAML document, byte for byte as a
// gopkg.in/yaml.v3 Encoder with SetIndent(2) writes it with Encode and
// Close: no "---" line before it. It is for renderers that build node
// trees of their own, with comments and styles; a tree holding something
// this package's emitter does not write is written by yaml.v3, whose error
// is returned as is.
func EncodeYAMLNode(n *yaml.Node) ([]byte, error) {
	s := emitStream{buf: make([]byte, 0, 4096)}
	if err := s.encode(n); err != nil {
		return nil, err
	}
	return s.buf, nil
}

// emitStream writes documents one at a time into a byte slice, as
// consecutive Encode calls on one yaml.v3 Encoder do.
type emitStream struct {
	buf  []byte
	docs int
	// yamlv3 writes the rest of the stream once yaml.v3 has written a
	// document with comments: yaml.v3 may hold a comment over to the next
	// document (a collection's line comment goes after the next scalar it
	// writes, wherever that is), so from then on one Encoder writes every
	// document, as it would have.
	yamlv3 *yaml.Encoder
	out    bytes.Buffer
}

// encode appends one document. It is what Encoder.Encode writes for n: a
// "---" line before every document but the first, then the document, which
// does not depend on the documents before it (the emitter is back at the
// start of a line with the same state after each one).
func (s *emitStream) encode(n *yaml.Node) error {
	if s.yamlv3 != nil {
		documentFallbacks.Add(1)
		return s.encodeYAMLv3(n)
	}
	start := len(s.buf)
	if s.docs > 0 {
		s.buf = append(s.buf, "---\n"...)
	}
	s.docs++
	e := emitter{buf: s.buf, indention: true, whitespace: true}
	if n != nil && e.node(n, -1, false) {
		e.writeIndent(0)
		s.buf = e.buf
		return nil
	}
	// Something this emitter does not write: yaml.v3 writes the document.
	documentFallbacks.Add(1)
	s.buf = e.buf[:start]
	if hasComment(n) {
		if s.docs > 1 {
			s.buf = append(s.buf, "---\n"...)
		}
		s.yamlv3 = yaml.NewEncoder(&s.out)
		s.yamlv3.SetIndent(2)
		return s.encodeYAMLv3(n)
	}
	data, err := encodeYAMLv3([]*yaml.Node{n})
	if err != nil {
		return err
	}
	if s.docs > 1 {
		s.buf = append(s.buf, "---\n"...)
	}
	s.buf = append(s.buf, data...)
	return nil
}

// encodeYAMLv3 writes a document with the stream's yaml.v3 Encoder, which
// writes all of a document when Encode returns (and nothing on Close).
func (s *emitStream) encodeYAMLv3(n *yaml.Node) error {
	err := s.yamlv3.Encode(n)
	s.buf = append(s.buf, s.out.Bytes()...)
	s.out.Reset()
	return err
}

// hasComment reports that a node of tree n carries a comment.
func hasComment(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" {
		return true
	}
	for _, c := range n.Content {
		if hasComment(c) {
			return true
		}
	}
	return false
}

// documentFallbacks counts the documents yaml.v3 wrote instead of the
// emitter, so that tests can tell that rendered output takes the fast way.
var documentFallbacks atomic.Int64

// encodeYAMLv3 is the yaml.v3 encoder writing nodes as one stream, as
// EncodeObjects wrote files before this emitter: the oracle the emitter is
// tested against, and the fallback for documents it does not write.
func encodeYAMLv3(nodes []*yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, n := range nodes {
		if err := enc.Encode(n); err != nil {
			return nil, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// emitter appends YAML to buf, keeping the three parts of yaml.v3's
// emitter state that decide where line breaks and spaces go.
type emitter struct {
	buf []byte
	// column is the output column; only its relation to an indent matters.
	column int
	// indention reports that nothing but indentation and indicators such
	// as "- " has been written on the current line.
	indention bool
	// whitespace reports that the last thing written was whitespace, so
	// an indicator or scalar needs no space before it.
	whitespace bool
}

// writeIndent is yaml_emitter_write_indent: start a new line unless the
// current one holds only indentation up to indent, then pad to indent.
func (e *emitter) writeIndent(indent int) {
	if indent < 0 {
		indent = 0
	}
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.buf = append(e.buf, '\n')
		e.column = 0
		e.indention = true
	}
	for ; e.column < indent; e.column++ {
		e.buf = append(e.buf, ' ')
	}
	e.whitespace = true
}

// writeIndicator is yaml_emitter_write_indicator for ASCII indicators.
func (e *emitter) writeIndicator(s string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !e.whitespace {
		e.buf = append(e.buf, ' ')
		e.column++
	}
	e.buf = append(e.buf, s...)
	e.column += len(s)
	e.whitespace = isWhitespace
	e.indention = e.indention && isIndention
}

// childIndent is the indent yaml_emitter_increase_indent gives a block
// collection or a scalar under a collection at parent: the first level
// at 0, one more level inside a sequence item (past its "- "), else the
// next multiple of the indent. parent is -1 at the root.
func childIndent(parent int, inSequence bool) int {
	switch {
	case parent < 0:
		return 0
	case inSequence:
		return parent + 2
	}
	return 2 * ((parent + 2) / 2)
}

// node writes n as a block node under a collection at indent parent (-1
// at the root), reporting false when it cannot write n exactly as yaml.v3
// does; the caller then discards the document. A sequence item's head
// comment is the caller's to write, before the item's "- ".
func (e *emitter) node(n *yaml.Node, parent int, inSequence bool) bool {
	if n.Anchor != "" || n.Alias != nil || n.FootComment != "" {
		return false
	}
	// yaml.v3 writes a collection's line comment after its end, and a
	// mapping value's head comment where the next head comment goes.
	if n.LineComment != "" && n.Kind != yaml.ScalarNode || n.HeadComment != "" && parent >= 0 && !inSequence {
		return false
	}
	if n.Style != 0 && n.Kind != yaml.ScalarNode && (n.Style != yaml.FlowStyle || len(n.Content) != 0) {
		// An empty collection is written in flow style whatever its style.
		return false
	}
	if parent < 0 && n.HeadComment != "" {
		// yaml_emitter_emit_document_content: the root's head comment
		// goes above it, at indent 0.
		if !e.headComment(n.HeadComment, 0) {
			return false
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		if n.Tag != "!!map" || len(n.Content)%2 != 0 {
			return false
		}
		if len(n.Content) == 0 {
			e.writeIndicator("{", true, true, false)
			e.writeIndicator("}", false, false, false)
			return true
		}
		indent := childIndent(parent, inSequence)
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i]
			// yaml_emitter_emit_block_mapping_key: a key's head comment
			// starts on a line of its own at the key's indent, except
			// that after a sequence item's "- " the current line is still
			// only indentation: the comment then follows the "- ".
			if k.HeadComment != "" && !e.headComment(k.HeadComment, indent) {
				return false
			}
			e.writeIndent(indent)
			if !e.key(k) {
				return false
			}
			e.writeIndicator(":", false, false, false)
			if !e.node(n.Content[i+1], indent, false) {
				return false
			}
		}
		return true
	case yaml.SequenceNode:
		if n.Tag != "!!seq" {
			return false
		}
		if len(n.Content) == 0 {
			e.writeIndicator("[", true, true, false)
			e.writeIndicator("]", false, false, false)
			return true
		}
		indent := childIndent(parent, inSequence)
		for _, c := range n.Content {
			// yaml_emitter_emit_block_sequence_item: an item's head
			// comment goes above its "- ", as a key's does above it.
			if c.HeadComment != "" && !e.headComment(c.HeadComment, indent) {
				return false
			}
			e.writeIndent(indent)
			e.writeIndicator("-", true, false, true)
			if !e.node(c, indent, true) {
				return false
			}
		}
		return true
	case yaml.ScalarNode:
		// A scalar document starts without a space and is indented as a
		// flow scalar; such documents are rare enough to leave to yaml.v3.
		if parent < 0 || !knownScalar(n) {
			return false
		}
		return e.scalar(n, childIndent(parent, inSequence), parent)
	}
	return false
}

// headComment writes a head comment on lines of its own at indent, as
// yaml.v3 writes one before the node it belongs to.
func (e *emitter) headComment(comment string, indent int) bool {
	e.writeIndent(indent)
	return e.writeComment(comment, indent)
}

// writeComment is yaml_emitter_write_comment: it writes comment, whose
// lines do not start with "#" getting "# " before them, each line after a
// line break indented to indent, and ends with a line break unless the
// comment does. The emitter's whitespace flag is left as it was until the
// end, which is why, at indent 0 after a value, yaml.v3 writes an empty
// line before a line comment's second line. It reports false for a comment
// that is not valid UTF-8, which yaml.v3 copies by lead-byte width (or
// panics on).
func (e *emitter) writeComment(comment string, indent int) bool {
	if !utf8.ValidString(comment) {
		return false
	}
	breaks, pound := false, false
	for i := 0; i < len(comment); {
		if w := lineBreakWidth(comment, i); w > 0 {
			e.buf = append(e.buf, comment[i:i+w]...)
			e.column = 0
			e.indention = true
			breaks, pound = true, false
			i += w
			continue
		}
		if breaks {
			e.writeIndent(indent)
		}
		if !pound {
			if comment[i] != '#' {
				e.buf = append(e.buf, '#', ' ')
				e.column += 2
			}
			pound = true
		}
		w := 1
		if comment[i] >= utf8.RuneSelf {
			_, w = utf8.DecodeRuneInString(comment[i:])
		}
		e.buf = append(e.buf, comment[i:i+w]...)
		e.column++
		e.indention = false
		breaks = false
		i += w
	}
	if !breaks {
		e.buf = append(e.buf, '\n')
		e.column = 0
		e.indention = true
	}
	e.whitespace = true
	return true
}

// lineBreakWidth is the length of the line break at s[i] as yaml.v3's
// is_break sees them (CR, LF, NEL, LS, PS), or 0.
func lineBreakWidth(s string, i int) int {
	switch s[i] {
	case '\r', '\n':
		return 1
	case 0xc2:
		if i+1 < len(s) && s[i+1] == 0x85 {
			return 2
		}
	case 0xe2:
		if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9) {
			return 3
		}
	}
	return 0
}

// lineComment writes a scalar's line comment after it, as
// yaml_emitter_process_line_comment does: a space (a value never ends in
// whitespace), then the comment, whose later lines are indented to indent.
func (e *emitter) lineComment(comment string, indent int) bool {
	e.buf = append(e.buf, ' ')
	e.column++
	e.indention = false
	e.whitespace = false
	return e.writeComment(comment, indent)
}

// knownScalar reports that n is one of the scalars valueNode builds:
// strings plain, double-quoted or literal, and numbers, booleans and null
// in plain style.
func knownScalar(n *yaml.Node) bool {
	switch n.Tag {
	case "!!str":
		return n.Style == 0 || n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.LiteralStyle
	case "!!int", "!!float", "!!bool", "!!null":
		return n.Style == 0
	}
	return false
}

// scalar writes a scalar value (of a mapping entry or a sequence item)
// whose lines are indented to indent, in a collection at indent parent,
// and its line comment. It always ends at the start of a line: after a
// value yaml.v3 writes a line break before anything else, so ending the
// value's line here writes the same bytes.
func (e *emitter) scalar(n *yaml.Node, indent, parent int) bool {
	v := n.Value
	switch n.Tag {
	case "!!str":
		switch n.Style {
		case 0:
			if printableASCII(v) {
				switch resolvesToString(v) {
				case resolvedString:
					if plainAllowed(v) {
						e.buf = append(e.buf, ' ')
						e.buf = append(e.buf, v...)
					} else {
						e.buf = appendSingleQuoted(append(e.buf, ' '), v)
					}
					return e.endValue(n, parent)
				case resolvedOther:
					// yaml.v3 quotes a string that would read back as
					// something else.
					e.buf = appendDoubleQuoted(append(e.buf, ' '), v)
					return e.endValue(n, parent)
				}
			}
		case yaml.DoubleQuotedStyle:
			if printableASCII(v) {
				e.buf = appendDoubleQuoted(append(e.buf, ' '), v)
				return e.endValue(n, parent)
			}
		case yaml.LiteralStyle:
			if v != "" && printableASCIILines(v) {
				if literalAllowed(v) {
					e.buf = appendLiteralHeader(e.buf, v)
					atLineStart := false
					if n.LineComment != "" {
						// yaml_emitter_write_literal_scalar writes the
						// comment after the header; the value's first line
						// break, if it starts with one, is then its own.
						if !e.lineComment(n.LineComment, indent) {
							return false
						}
						atLineStart = true
					}
					e.buf = appendLiteralBody(e.buf, v, indent, atLineStart)
					return e.startLine()
				}
				// yaml.v3 double-quotes a block it cannot write as one.
				e.buf = appendDoubleQuoted(append(e.buf, ' '), v)
				return e.endValue(n, parent)
			}
		}
	case "!!int":
		if isShortJSONInteger(v) {
			return e.plain(n, parent)
		}
	case "!!float":
		if isPlainFloat(v) {
			return e.plain(n, parent)
		}
	case "!!bool":
		if v == "true" || v == "false" {
			return e.plain(n, parent)
		}
	case "!!null":
		// An empty null is an empty plain scalar, which yaml.v3 writes as
		// nothing at all.
		if v == "null" || v == "" {
			return e.plain(n, parent)
		}
	}
	text, ok := scalarFromYAMLv3(n, false)
	if !ok {
		return false
	}
	if !text.multiline {
		e.buf = append(e.buf, text.text[:len(text.text)-1]...)
		return e.endValue(n, parent)
	}
	if n.LineComment != "" && strings.HasPrefix(v, "\n") {
		// The comment would go between the header and the value's
		// leading line break, which the cut-out block merged.
		return false
	}
	if indent == 2 && n.LineComment == "" {
		e.buf = append(e.buf, text.text...)
		return e.startLine()
	}
	// yaml.v3 wrote the block at indent 2; every line but the header is
	// that indentation and the content, or empty.
	lines := text.text[:len(text.text)-1]
	for i := 0; ; i++ {
		line, rest, more := strings.Cut(lines, "\n")
		if i > 0 && line != "" {
			for range indent - 2 {
				e.buf = append(e.buf, ' ')
			}
		}
		e.buf = append(e.buf, line...)
		if i == 0 && n.LineComment != "" {
			if !e.lineComment(n.LineComment, indent) {
				return false
			}
		} else {
			e.buf = append(e.buf, '\n')
		}
		if !more {
			break
		}
		lines = rest
	}
	return e.startLine()
}

// plain writes a value whose plain form yaml.v3 writes untagged.
func (e *emitter) plain(n *yaml.Node, parent int) bool {
	if n.Value != "" {
		e.buf = append(e.buf, ' ')
		e.buf = append(e.buf, n.Value...)
	}
	return e.endValue(n, parent)
}

// endValue ends the line of a one-line value: with the value's line
// comment, whose later lines yaml.v3 indents to the collection's indent
// parent, or with a line break.
func (e *emitter) endValue(n *yaml.Node, parent int) bool {
	if n.LineComment != "" {
		if !e.lineComment(n.LineComment, parent) {
			return false
		}
		return e.startLine()
	}
	e.buf = append(e.buf, '\n')
	return e.startLine()
}

// startLine records that the output is at the start of a line, as after
// a line break yaml.v3 wrote.
func (e *emitter) startLine() bool {
	e.column = 0
	e.indention = true
	e.whitespace = true
	return true
}

// maxSimpleKey is the longest key, in bytes, that yaml.v3 writes as a
// simple "key: value"; a longer one is written as "? key" (and a key with
// a line break always is). Such keys are left to yaml.v3.
const maxSimpleKey = 128

// key writes a mapping key that yaml.v3 writes as a simple key; its head
// comment is the caller's to write. yaml.v3 moves a key's line comment to
// after the value, so a key with one is left to it.
func (e *emitter) key(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Anchor != "" || n.Alias != nil || n.LineComment != "" || n.FootComment != "" || !knownScalar(n) {
		return false
	}
	start := len(e.buf)
	v := n.Value
	fast := false
	if len(v) <= maxSimpleKey && n.Tag == "!!str" && printableASCII(v) {
		switch {
		case n.Style == yaml.DoubleQuotedStyle:
			e.buf = appendDoubleQuoted(e.buf, v)
			fast = true
		case n.Style == 0:
			switch resolvesToString(v) {
			case resolvedString:
				if plainAllowed(v) {
					e.buf = append(e.buf, v...)
				} else {
					e.buf = appendSingleQuoted(e.buf, v)
				}
				fast = true
			case resolvedOther:
				e.buf = appendDoubleQuoted(e.buf, v)
				fast = true
			}
		}
	}
	if !fast {
		text, ok := scalarFromYAMLv3(n, true)
		if !ok {
			return false
		}
		e.buf = append(e.buf, text.text...)
	}
	e.column += len(e.buf) - start
	e.whitespace = false
	e.indention = false
	return true
}

// printableASCII reports that s is only printable ASCII (space to '~'),
// where yaml.v3's rules for plain and quoted scalars are simple.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// printableASCIILines is printableASCII allowing line feeds.
func printableASCIILines(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < 0x20 || s[i] > 0x7e) && s[i] != '\n' {
			return false
		}
	}
	return true
}

// resolution is what yaml.v3's resolve makes of a plain scalar, as far as
// the emitter can tell without it.
type resolution int

const (
	resolvedUnknown resolution = iota // only yaml.v3 can tell
	resolvedString                    // a string: written untagged
	resolvedOther                     // a number, bool, null, timestamp...: quoted
)

// yamlResolveMap lists the plain scalars yaml.v3's resolve finds in its
// table (resolveMap in resolve.go): booleans, nulls, infinities, NaN and
// the merge key (which resolve never looks up, as '<' is not in its
// resolveTable).
var yamlResolveMap = map[string]bool{
	"true": true, "True": true, "TRUE": true,
	"false": true, "False": true, "FALSE": true,
	"": true, "~": true, "null": true, "Null": true, "NULL": true,
	".nan": true, ".NaN": true, ".NAN": true,
	".inf": true, ".Inf": true, ".INF": true,
	"+.inf": true, "+.Inf": true, "+.INF": true,
	"-.inf": true, "-.Inf": true, "-.INF": true,
	"<<": true,
}

// resolvesToString is yaml.v3's resolve("", s) == "!!str" where that is
// certain. resolve consults its table only when s is empty or starts with
// one of "yYnNtTfFoO~", a sign, a digit or a dot, and parses only the
// last three: as integers (strconv base 0: prefixes, hex digits,
// underscores), decimal floats and timestamps (digits, "-", ":", ".", ",",
// "T", "Z", " "). So a string with any other first character, or with a
// character none of those parsers accept, is a string. Anything else is
// left to yaml.v3.
func resolvesToString(s string) resolution {
	if s == "" {
		return resolvedOther
	}
	var accepted string
	switch c := s[0]; {
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		if yamlResolveMap[s] {
			return resolvedOther
		}
		return resolvedString
	case c == '+' || c == '-' || '0' <= c && c <= '9':
		accepted = "0123456789+-._xXoObBaAcCdDeEfFpPtTzZ:, "
	case c == '.':
		accepted = "0123456789eE+-._"
	default:
		return resolvedString
	}
	if yamlResolveMap[s] {
		return resolvedOther
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(accepted, s[i]) < 0 {
			return resolvedString
		}
	}
	return resolvedUnknown
}

// plainAllowed is yaml_emitter_analyze_scalar's block_plain_allowed for a
// non-empty printable ASCII string: no leading or trailing space, no
// leading indicator or document marker, no ": " or " #".
func plainAllowed(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		return false
	}
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '?', ':', '-':
		if len(s) == 1 || s[1] == ' ' {
			return false
		}
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case ':':
			if i+1 == len(s) || s[i+1] == ' ' {
				return false
			}
		case '#':
			if s[i-1] == ' ' {
				return false
			}
		}
	}
	return true
}

// literalAllowed is yaml_emitter_analyze_scalar's block_allowed for
// printable ASCII with line feeds: no trailing space and no space right
// before a line break.
func literalAllowed(s string) bool {
	return s[len(s)-1] != ' ' && !strings.Contains(s, " \n")
}

// appendSingleQuoted is yaml_emitter_write_single_quoted_scalar for
// printable ASCII: quotes doubled, nothing else changed.
func appendSingleQuoted(buf []byte, s string) []byte {
	buf = append(buf, '\'')
	for {
		i := strings.IndexByte(s, '\'')
		if i < 0 {
			break
		}
		buf = append(buf, s[:i+1]...)
		buf = append(buf, '\'')
		s = s[i+1:]
	}
	buf = append(buf, s...)
	return append(buf, '\'')
}

// appendDoubleQuoted is yaml_emitter_write_double_quoted_scalar for
// printable ASCII and line feeds: only '"', '\' and the line feed are
// escaped.
func appendDoubleQuoted(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\n':
			buf = append(buf, '\\', 'n')
		default:
			buf = append(buf, c)
		}
	}
	return append(buf, '"')
}

// appendLiteralHeader and appendLiteralBody are
// yaml_emitter_write_literal_scalar for a non-empty value of printable
// ASCII and line feeds, as a mapping value or sequence item, followed by
// the line break that ends the value.
//
// yaml.v3 writes the header ("|", an indentation hint when the value
// starts with a space or line break, a chomping indicator), then (after a
// line comment, if any) starts the first line only if the output is not
// at the start of a line already and the value does not start with a line
// break: a leading line break becomes the header's own.
func appendLiteralHeader(buf []byte, s string) []byte {
	buf = append(buf, " |"...)
	if s[0] == ' ' || s[0] == '\n' {
		buf = append(buf, '2')
	}
	switch {
	case s[len(s)-1] != '\n':
		buf = append(buf, '-')
	case len(s) == 1 || s[len(s)-2] == '\n':
		buf = append(buf, '+')
	}
	return buf
}

// appendLiteralBody writes a literal's lines after its header; see
// appendLiteralHeader.
func appendLiteralBody(buf []byte, s string, indent int, atLineStart bool) []byte {
	for s != "" {
		if s[0] == '\n' {
			buf = append(buf, '\n')
			atLineStart = true
			s = s[1:]
			continue
		}
		if !atLineStart {
			buf = append(buf, '\n')
		}
		for range indent {
			buf = append(buf, ' ')
		}
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line = s[:i]
		}
		buf = append(buf, line...)
		s = s[len(line):]
		atLineStart = false
	}
	if !atLineStart {
		buf = append(buf, '\n')
	}
	return buf
}

// isShortJSONInteger reports that s is a JSON integer of at most 18
// digits: yaml.v3 resolves it as an int (it fits in int64), so an !!int
// node of it is written plain and untagged.
func isShortJSONInteger(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 18 || digits[0] == '0' && len(digits) > 1 {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// isPlainFloat reports that yaml.v3 resolves s as a float, so an !!float
// node of it is written plain and untagged: a decimal with a dot or an
// exponent (strconv's integer parsing rejects it; a timestamp needs four
// digits and a '-'), in the form of yaml.v3's yamlStyleFloat
// (-?digits(.digits*)?(e[-+]?digits)?), that strconv.ParseFloat accepts
// (it does not overflow).
func isPlainFloat(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i == start {
		return false
	}
	fraction := i < len(s) && s[i] == '.'
	if fraction {
		i++
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	exponent := i < len(s) && (s[i] == 'e' || s[i] == 'E')
	if exponent {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i != len(s) || !fraction && !exponent {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// scalarText is how yaml.v3 writes one scalar in one context.
type scalarText struct {
	// text is the key as written, or the value as written after "key:"
	// at indent 2, with the line break that ends it.
	text string
	// multiline reports a block scalar, whose lines after the first
	// carry the indentation.
	multiline bool
}

// scalarKey is what yaml.v3's output for a scalar depends on.
type scalarKey struct {
	tag, value string
	style      yaml.Style
	key        bool
}

// Scalars that yaml.v3 writes are remembered, as the same values recur
// across files; values and the number remembered are bounded so that a
// long-running caller does not keep every string it ever wrote.
var (
	scalarTexts     sync.Map // scalarKey → scalarText
	scalarTextCount atomic.Int64
)

const (
	maxRememberedScalar  = 1 << 10
	maxRememberedScalars = 1 << 16
)

// nullNode is the value yaml.v3 writes after a key being measured.
var nullNode = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}

// scalarFromYAMLv3 has yaml.v3 write scalar n as a mapping key (key) or
// value in a one-entry mapping, and cuts the scalar out of the result. It
// reports false when the scalar's form is one this emitter cannot place
// (a key yaml.v3 writes as "? key", a value with line breaks other than
// line feeds) or yaml.v3 fails; the document then goes through yaml.v3.
func scalarFromYAMLv3(n *yaml.Node, key bool) (scalarText, bool) {
	k := scalarKey{tag: n.Tag, value: n.Value, style: n.Style, key: key}
	if t, ok := scalarTexts.Load(k); ok {
		return t.(scalarText), true
	}
	scalar := &yaml.Node{Kind: yaml.ScalarNode, Tag: n.Tag, Value: n.Value, Style: n.Style}
	var doc *yaml.Node
	if key {
		doc = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{scalar, nullNode}}
	} else {
		doc = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{stringNode("k", true), scalar}}
	}
	data, err := encodeYAMLv3([]*yaml.Node{doc})
	if err != nil {
		return scalarText{}, false
	}
	out := string(data)
	var t scalarText
	if key {
		text, ok := strings.CutSuffix(out, ": null\n")
		if !ok || strings.Contains(text, "\n") {
			return scalarText{}, false
		}
		t.text = text
	} else {
		text, ok := strings.CutPrefix(out, "k:")
		if !ok || !strings.HasSuffix(text, "\n") || strings.ContainsAny(text, "\r\u0085\u2028\u2029") {
			return scalarText{}, false
		}
		if strings.Count(text, "\n") > 1 {
			if n.Style != yaml.LiteralStyle {
				return scalarText{}, false
			}
			_, rest, _ := strings.Cut(text, "\n")
			for line := range strings.Lines(rest) {
				if line != "\n" && !strings.HasPrefix(line, "  ") {
					return scalarText{}, false
				}
			}
			t.multiline = true
		}
		t.text = text
	}
	if len(n.Value) <= maxRememberedScalar && scalarTextCount.Load() < maxRememberedScalars {
		if _, loaded := scalarTexts.LoadOrStore(k, t); !loaded {
			scalarTextCount.Add(1)
		}
	}
	return t, true
}
