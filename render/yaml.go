package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"gopkg.in/yaml.v3"
)

// File is one output file: the encoded bytes of every object that shares a
// Path, and the ownership the manifest records for it.
type File struct {
	// Path is the slash-separated path relative to the output directory.
	Path string
	// Target and Env are the scope the file belongs to; every object in a
	// file shares them.
	Target Target
	Env    string
	// Sources are the distinct, sorted spec files the objects came from.
	Sources []string
	// Raw reports that Data is an object's Raw bytes, written as is.
	Raw bool
	// Data is the file's content. For a Raw file it is the object's Raw
	// slice itself; neither is to be modified.
	Data []byte
}

// EncodeObjects groups objects by Path and encodes each group as one file,
// returned sorted by Path. Value objects become one YAML document each, in
// the order given, under a "Code generated" header naming their sources; an
// object with Raw set becomes its file's content byte for byte.
//
// It fails on an unsafe path, on a path shared by objects of different
// targets or environments, by a Raw object and any other object, and on a
// path that is also a directory of another path.
func EncodeObjects(objs []Object) ([]File, error) {
	return encodeObjects(objs, newEmitStream)
}

// documentStream writes the YAML documents of one file in turn.
type documentStream interface {
	// encode appends one document.
	encode(n *yaml.Node) error
	// finish returns everything written.
	finish() ([]byte, error)
}

// newEmitStream is the stream EncodeObjects and MarshalYAML write with:
// the emitter in emit.go, after prefix.
func newEmitStream(prefix string) documentStream {
	return &emitStream{buf: append(make([]byte, 0, 4096), prefix...)}
}

// finish returns the stream's bytes.
func (s *emitStream) finish() ([]byte, error) { return s.buf, nil }

// newYAMLv3Stream writes through one yaml.v3 Encoder, as EncodeObjects
// did before emit.go: the tests' oracle and the benchmarks' baseline.
func newYAMLv3Stream(prefix string) documentStream {
	s := &yamlv3Stream{}
	s.buf.WriteString(prefix)
	s.enc = yaml.NewEncoder(&s.buf)
	s.enc.SetIndent(2)
	return s
}

// yamlv3Stream is a documentStream of one yaml.v3 Encoder.
type yamlv3Stream struct {
	buf bytes.Buffer
	enc *yaml.Encoder
}

func (s *yamlv3Stream) encode(n *yaml.Node) error { return s.enc.Encode(n) }

func (s *yamlv3Stream) finish() ([]byte, error) {
	if err := s.enc.Close(); err != nil {
		return nil, err
	}
	return s.buf.Bytes(), nil
}

// encodeObjects is EncodeObjects writing each file's documents with a
// stream from newStream.
func encodeObjects(objs []Object, newStream func(prefix string) documentStream) ([]File, error) {
	groups := map[string][]Object{}
	var order []string
	for _, o := range objs {
		if err := validatePath(o.Path); err != nil {
			return nil, fmt.Errorf("%s: %w", o.Describe(), err)
		}
		if o.Target == "" {
			return nil, fmt.Errorf("%s: object has no target", o.Describe())
		}
		if _, ok := groups[o.Path]; !ok {
			order = append(order, o.Path)
		}
		groups[o.Path] = append(groups[o.Path], o)
	}
	if err := checkFileDirClashes(order); err != nil {
		return nil, err
	}
	sort.Strings(order)

	// Files are independent, and encoding is CPU-bound: one worker per CPU.
	// Each result goes to its path's slot, so the order and the error
	// reported do not depend on scheduling.
	files := make([]File, len(order))
	err := forEach(len(order), runtime.GOMAXPROCS(0), func(i int) error {
		f, err := encodeFile(groups[order[i]], newStream)
		files[i] = f
		return err
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

// encodeFile encodes the objects that share one path.
func encodeFile(objs []Object, newStream func(prefix string) documentStream) (File, error) {
	first := objs[0]
	f := File{Path: first.Path, Target: first.Target, Env: first.Env}
	for _, o := range objs[1:] {
		if o.Target != first.Target || o.Env != first.Env {
			return File{}, fmt.Errorf("%s: shares its path with %s, which belongs to target %q env %q; a file belongs to one target and environment",
				o.Describe(), first.Describe(), first.Target, first.Env)
		}
		if (o.Raw != nil) != (first.Raw != nil) {
			return File{}, fmt.Errorf("%s: shares its path with %s, but one is raw content and the other a YAML document",
				o.Describe(), first.Describe())
		}
		if o.Raw != nil {
			return File{}, fmt.Errorf("%s: shares its path with %s; raw content cannot be combined into one file",
				o.Describe(), first.Describe())
		}
	}
	if first.Raw != nil {
		f.Raw = true
		// Shared, not copied: neither side is written to after rendering,
		// and a copy of every workflow and Nacos entry was a tenth of a
		// large render's memory.
		f.Data = first.Raw
		if first.Source != "" {
			f.Sources = []string{first.Source}
		}
		return f, nil
	}

	for _, o := range objs {
		if o.Source != "" && !slices.Contains(f.Sources, o.Source) {
			f.Sources = append(f.Sources, o.Source)
		}
	}
	sort.Strings(f.Sources)
	header, err := generatedHeader(f.Sources)
	if err != nil {
		return File{}, fmt.Errorf("encode %s: %w", f.Path, err)
	}

	stream := newStream(header)
	for _, o := range objs {
		node, err := valueNode(o.Value)
		if err != nil {
			return File{}, fmt.Errorf("encode %s: %w", o.Describe(), err)
		}
		if err := stream.encode(node); err != nil {
			return File{}, fmt.Errorf("encode %s: %w", o.Describe(), err)
		}
	}
	if f.Data, err = stream.finish(); err != nil {
		return File{}, fmt.Errorf("encode %s: %w", f.Path, err)
	}
	return f, nil
}

// generatedHeader is the comment line that starts every YAML file, in the
// spirit of Go's "Code generated ... DO NOT EDIT." convention so that
// editors and reviewers recognise the file as output.
func generatedHeader(sources []string) (string, error) {
	for _, s := range sources {
		if strings.ContainsAny(s, "\r\n") {
			return "", fmt.Errorf("source %q contains a line break", s)
		}
	}
	if len(sources) == 0 {
		return "# Code generated by govctl. DO NOT EDIT.\n", nil
	}
	return "# Code generated by govctl from " + strings.Join(sources, ", ") + ". DO NOT EDIT.\n", nil
}

// MarshalYAML encodes value as one YAML document exactly as EncodeObjects
// encodes an object's Value (sorted keys, 2-space indent, quoted ambiguous
// strings), without a header. Renderers use it for content that travels
// inside another format, such as a Nacos entry.
func MarshalYAML(value any) ([]byte, error) {
	return marshalYAML(value, newEmitStream)
}

// marshalYAML is MarshalYAML writing with a stream from newStream.
func marshalYAML(value any, newStream func(prefix string) documentStream) ([]byte, error) {
	node, err := valueNode(value)
	if err != nil {
		return nil, err
	}
	stream := newStream("")
	if err := stream.encode(node); err != nil {
		return nil, err
	}
	return stream.finish()
}

// valueNode normalizes an object's Value and builds its YAML node.
func valueNode(value any) (*yaml.Node, error) {
	switch value.(type) {
	case nil, map[string]any, []any:
	default:
		// Typed values (API structs, messages) are most of the output:
		// build their node straight from the JSON form, without the
		// generic tree in between.
		data, err := marshalJSON(value)
		if err != nil {
			return nil, err
		}
		if node, ok := jsonNode(data); ok {
			if node == nil {
				return nil, errNoContent
			}
			return node, nil
		}
	}
	generic, err := Normalize(value)
	if err != nil {
		return nil, err
	}
	if generic == nil {
		return nil, errNoContent
	}
	generic = DropEmptyStatus(generic)
	return genericNode(generic)
}

var errNoContent = errors.New("object has no content: Value is empty and Raw is not set")

// Normalize converts a Value to the generic tree that is written as YAML:
// map[string]any, []any, string, json.Number, bool and nil (only inside
// lists). Structs are converted through their JSON form, so `json` tags and
// MarshalJSON methods apply (the istio.io/api types marshal through their
// own protobuf-aware MarshalJSON); protobuf messages go through protojson.
// Map entries whose value is null are dropped. Plan compares objects in this
// form, so that it sees exactly what is written.
//
// A protobuf message nested in a plain Go struct is converted by
// encoding/json, which writes durations and enums wrongly; pass the message
// itself, or put it in a map[string]any, whose values are normalized one by
// one.
func Normalize(value any) (any, error) {
	switch v := value.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			n, err := Normalize(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if n != nil {
				out[k] = n
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			n, err := Normalize(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = n
		}
		return out, nil
	// Scalars that are common in generic trees (and make up every leaf of
	// an already normalized one) skip the JSON round trip, which gives the
	// same result: encoding/json only changes invalid UTF-8 in a string and
	// rejects a json.Number that is not a JSON number, so those still take
	// the round trip below.
	case string:
		if utf8.ValidString(v) {
			return v, nil
		}
	case bool:
		return v, nil
	case json.Number:
		if isJSONNumber(string(v)) {
			return v, nil
		}
	case int:
		return json.Number(strconv.FormatInt(int64(v), 10)), nil
	case int64:
		return json.Number(strconv.FormatInt(v, 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(v, 10)), nil
	}

	data, err := marshalJSON(value)
	if err != nil {
		return nil, err
	}
	return decodeGeneric(data)
}

// marshalJSON returns the JSON form of a value that is not a generic map or
// list: protojson for protobuf messages, encoding/json for the rest.
func marshalJSON(value any) ([]byte, error) {
	if m, ok := value.(proto.Message); ok {
		return marshalProto(m)
	}
	rv := reflect.ValueOf(value)
	if rv.Kind() != reflect.Pointer {
		// Take an addressable copy: encoding/json only calls a MarshalJSON
		// declared on a pointer receiver (as the istio.io/api types declare
		// it) when it can take the value's address.
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		if m, ok := p.Interface().(proto.Message); ok {
			return marshalProto(m)
		}
		value = p.Interface()
	}
	data, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("marshal %T: %w", value, err)
	}
	return data, nil
}

// isJSONNumber reports whether s is a number in JSON syntax. A number
// starts with a minus or a digit and ends with a digit, so json.Valid
// accepts no other value and no surrounding space.
func isJSONNumber(s string) bool {
	return s != "" && (s[0] == '-' || '0' <= s[0] && s[0] <= '9') &&
		'0' <= s[len(s)-1] && s[len(s)-1] <= '9' && json.Valid([]byte(s))
}

func marshalProto(m proto.Message) ([]byte, error) {
	data, err := protojson.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("marshal %T: %w", m, err)
	}
	return data, nil
}

// decodeGeneric decodes JSON keeping numbers as json.Number, so that
// integers beyond 2^53 and the exact decimal form survive.
func decodeGeneric(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode JSON form: %w", err)
	}
	return dropNulls(v), nil
}

// jsonNode builds, straight from JSON data, the node that genericNode
// builds from decodeGeneric's tree after DropEmptyStatus: objects become
// mappings with sorted keys, where the last of duplicate keys wins and null
// members are dropped, numbers keep their text. A nil node is JSON null.
// Like json.Decoder.Decode it reads the first value and ignores what
// JSON, or more than one value); the caller then takes the slow way, which
// reports the error.
func jsonNode(data []byte) (*yaml.Node, bool) {
	d := jsonDecoder{data: data}
	n, ok := d.value()
	if d.skipSpace(); !ok || d.pos != len(d.data) {
		return nil, false
	}
	if n != nil && n.Kind == yaml.MappingNode {
		dropEmptyStatusNode(n)
	}
	return n, true
}

// dropEmptyStatusNode is DropEmptyStatus on a mapping node.
func dropEmptyStatusNode(n *yaml.Node) {
	status := -1
	hasAPIVersion, hasKind := false, false
	for i := 0; i < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "apiVersion":
			hasAPIVersion = true
		case "kind":
			hasKind = true
		case "status":
			if v := n.Content[i+1]; v.Kind == yaml.MappingNode && len(v.Content) == 0 {
				status = i
			}
		}
	}
	if status >= 0 && hasAPIVersion && hasKind {
		n.Content = slices.Delete(n.Content, status, status+2)
	}
}

// jsonDecoder reads JSON as encoding/json and protojson write it.
type jsonDecoder struct {
	data []byte
	pos  int
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// consume skips space and then the byte c, reporting whether it was there.
func (d *jsonDecoder) consume(c byte) bool {
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// member is one key and value of an object; a nil value is null.
type member struct {
	key   string
	value *yaml.Node
}

// value reads one JSON value; a nil node is null.
func (d *jsonDecoder) value() (*yaml.Node, bool) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		d.pos++
		var members []member
		if !d.consume('}') {
			for {
				d.skipSpace()
				key, ok := d.string()
				if !ok || !d.consume(':') {
					return nil, false
				}
				v, ok := d.value()
				if !ok {
					return nil, false
				}
				members = append(members, member{key, v})
				if d.consume(',') {
					continue
				}
				if d.consume('}') {
					break
				}
				return nil, false
			}
		}
		// A stable sort keeps duplicate keys in input order; the last one
		// is the one a map would hold.
		slices.SortStableFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*len(members))}
		for i, m := range members {
			if m.value == nil || i+1 < len(members) && members[i+1].key == m.key {
				continue
			}
			n.Content = append(n.Content, stringNode(m.key, true), m.value)
		}
		return n, true
	case c == '[':
		d.pos++
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if d.consume(']') {
			return n, true
		}
		for {
			v, ok := d.value()
			if !ok {
				return nil, false
			}
			if v == nil {
				v, _ = genericNode(nil)
			}
			n.Content = append(n.Content, v)
			if d.consume(',') {
				continue
			}
			if d.consume(']') {
				return n, true
			}
			return nil, false
		}
	case c == '"':
		s, ok := d.string()
		if !ok {
			return nil, false
		}
		return stringNode(s, false), true
	case c == '-' || '0' <= c && c <= '9':
		start := d.pos
		for d.pos < len(d.data) && strings.IndexByte("+-.0123456789eE", d.data[d.pos]) >= 0 {
			d.pos++
		}
		s := string(d.data[start:d.pos])
		if !isJSONNumber(s) {
			return nil, false
		}
		return numberNode(s), true
	}
	for _, lit := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(d.data[d.pos:], []byte(lit)) {
			d.pos += len(lit)
			if lit == "null" {
				return nil, true
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: lit}, true
		}
	}
	return nil, false
}

// string reads a JSON string. A string without escapes in valid UTF-8 is
// its own bytes; any other goes through encoding/json, which replaces
// invalid UTF-8 and lone surrogates.
func (d *jsonDecoder) string() (string, bool) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", false
	}
	start := d.pos
	plain := true
	for i := start + 1; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			raw := d.data[start+1 : i]
			if plain && utf8.Valid(raw) {
				return string(raw), true
			}
			var s string
			if json.Unmarshal(d.data[start:d.pos], &s) != nil {
				return "", false
			}
			return s, true
		case c == '\\':
			plain = false
			i++
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}

// dropNulls removes null map entries: API types emit them for unset fields
// (metadata.creationTimestamp) and they mean the same as an absent key.
func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = dropNulls(e)
		}
	case []any:
		for i, e := range v {
			v[i] = dropNulls(e)
		}
	}
	return v
}

// DropEmptyStatus removes an empty top-level status from a Kubernetes-style
// object, as the YAML writer does before encoding one: the API types always
// emit `status: {}`, which is server-owned and meaningless in a manifest.
// v is a generic tree (Normalize's), changed in place.
func DropEmptyStatus(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	_, hasAPIVersion := m["apiVersion"]
	_, hasKind := m["kind"]
	if status, ok := m["status"].(map[string]any); ok && hasAPIVersion && hasKind && len(status) == 0 {
		delete(m, "status")
	}
	return m
}

// genericNode builds a YAML node from a Normalize tree, with mapping keys
// sorted and every scalar given an explicit style.
func genericNode(v any) (*yaml.Node, error) {
	switch v := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}, nil
	case json.Number:
		return numberNode(string(v)), nil
	case string:
		return stringNode(v, false), nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, 0, len(v))}
		for i, e := range v {
			c, err := genericNode(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*len(keys))}
		for _, k := range keys {
			c, err := genericNode(v[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			n.Content = append(n.Content, stringNode(k, true), c)
		}
		return n, nil
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// numberNode writes a JSON number so that YAML 1.1 readers (sigs.k8s.io/yaml,
// PyYAML) read it as a number too: they need a dot in the mantissa and a
// sign in the exponent ("1e-07" is a string to them, "1.0e-07" a float).
func numberNode(s string) *yaml.Node {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		if strings.Contains(s, ".") {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: s}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: s}
	}
	mantissa, exp := s[:i], s[i+1:]
	if !strings.Contains(mantissa, ".") {
		mantissa += ".0"
	}
	if exp != "" && exp[0] != '-' && exp[0] != '+' {
		exp = "+" + exp
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: mantissa + "e" + exp}
}

// stringNode writes a string so that it reads back as the same string in
// YAML 1.1 and 1.2: ambiguous plain scalars are double-quoted, multi-line
// values become literal blocks (double-quoted when they are mapping keys,
// when they start with a line break or a tab, and when they hold a line
// break other than \n: yaml.v3 writes those as blocks that read back as
// another string, or not at all).
func stringNode(s string, key bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case strings.Contains(s, "\n"):
		if key || s[0] == '\n' || s[0] == '\t' || strings.ContainsAny(s, "\r\u0085\u2028\u2029") {
			n.Style = yaml.DoubleQuotedStyle
		} else {
			n.Style = yaml.LiteralStyle
		}
	case isAmbiguousScalar(s):
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// yamlKeywords are plain scalars that some YAML version reads as something
// other than a string: YAML 1.1 booleans (which Kubernetes tooling still
// honours), nulls, the merge key and the 1.1 value key.
var yamlKeywords = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"true": true, "True": true, "TRUE": true,
	"false": true, "False": true, "FALSE": true,
	"on": true, "On": true, "ON": true,
	"off": true, "Off": true, "OFF": true,
	"": true, "~": true, "null": true, "Null": true, "NULL": true,
	"<<": true, "=": true,
}

// yamlNumberLike matches plain scalars that YAML 1.1 or 1.2 reads as a
// number or a timestamp, erring on the side of quoting: decimal, octal
// ("0755", "0o755"), hex, binary, underscores, sexagesimal ("1:20"),
// version-like ("1.2.3"), exponents, infinities, NaN and dates.
var yamlNumberLike = regexp.MustCompile(`^(?:` +
	`[-+]?(?:` +
	`0[bB][01_]+` +
	`|0[oO][0-7_]+` +
	`|0[xX][0-9a-fA-F_]+` +
	`|[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_.]*)?(?:[eE][-+]?[0-9]+)?` +
	`|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?` +
	`|\.(?:inf|Inf|INF)` +
	`)` +
	`|\.(?:nan|NaN|NAN)` +
	`|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?` +
	`)$`)

func isAmbiguousScalar(s string) bool {
	if yamlKeywords[s] {
		return true
	}
	// Everything yamlNumberLike matches starts with a sign, a dot or a
	// digit; most strings (names, hosts, paths) do not, and skip the regexp.
	if c := s[0]; c != '-' && c != '+' && c != '.' && (c < '0' || c > '9') {
		return false
	}
	return yamlNumberLike.MatchString(s)
}
