package nacos

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// SensitiveValues reads an entry's content back in its type and returns,
// by path below config.data (printed as fieldpath prints it), where the
// content writes every value that sensitive reports as a secret: for a
// diff to hide the value while saying it changed. yaml and json content is
// read as YAML nodes (a value's span is its scalar as written: quotes,
// escapes and block lines included), properties as key=value lines (keys
// split at dots and list indexes, the value as escaped), text as the
// single value config.data.content. Content that does not read back in its
// type gives no span; the caller's Scrubber of known literals remains.
func SensitiveValues(typ, content string, sensitive func(p fieldpath.Path, v any) bool) map[string]secret.Span {
	out := map[string]secret.Span{}
	switch typ {
	case TypeYAML, TypeJSON:
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(content), &doc); err != nil || len(doc.Content) == 0 {
			return out
		}
		w := &nodeWalker{content: content, lines: lineStarts(content), sensitive: sensitive, out: out}
		w.walk(nil, doc.Content[0], -1, false)
	case TypeProperties:
		offset := 0
		for line := range strings.Lines(content) {
			text := strings.TrimRight(line, "\r\n")
			if key, value, ok := splitProperty(text); ok {
				p := propertyPath(key)
				if sensitive(p, value) {
					at := offset + len(key) + 1
					out[p.String()] = secret.Span{Start: at, End: at + len(value), Value: value}
				}
			}
			offset += len(line)
		}
	case TypeText:
		p := fieldpath.New("content")
		if sensitive(p, content) {
			out[p.String()] = secret.Span{Start: 0, End: len(content), Value: content}
		}
	}
	return out
}

// nodeWalker finds the spans of sensitive scalars in a YAML document.
type nodeWalker struct {
	content   string
	lines     []int // byte offset of each line
	sensitive func(fieldpath.Path, any) bool
	out       map[string]secret.Span
}

// walk records the spans of the sensitive scalars under n; indent is the
// column (0-based) of the key or list item n is the value of, flow whether
// n is inside a flow collection (JSON).
func (w *nodeWalker) walk(p fieldpath.Path, n *yaml.Node, indent int, flow bool) {
	flow = flow || n.Style&yaml.FlowStyle != 0
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			w.walk(p.Field(k.Value), n.Content[i+1], k.Column-1, flow)
		}
	case yaml.SequenceNode:
		for i, e := range n.Content {
			w.walk(p.Index(i), e, n.Column-1, flow)
		}
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil || v == nil || !w.sensitive(p, v) {
			return
		}
		if n.Line < 1 || n.Line > len(w.lines) {
			return
		}
		start := w.lines[n.Line-1] + n.Column - 1
		if start < 0 || start >= len(w.content) {
			return
		}
		end := scalarEnd(w.content, start, n.Style, indent, flow)
		w.out[p.String()] = secret.Span{Start: start, End: end, Value: fmt.Sprint(v)}
	}
}

// lineStarts returns the byte offset of every line of s.
func lineStarts(s string) []int {
	starts := []int{0}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// scalarEnd is the end of the scalar written at start: after the closing
// quote, after the last line of a block scalar that is more indented than
// its key, or at the end of a plain scalar's line (in a flow collection,
// at the next , ] or }).
func scalarEnd(s string, start int, style yaml.Style, indent int, flow bool) int {
	switch {
	case style&yaml.DoubleQuotedStyle != 0:
		for i := start + 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
	case style&yaml.SingleQuotedStyle != 0:
		for i := start + 1; i < len(s); i++ {
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
	case style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		end := lineEnd(s, start)
		for next := end + 1; next < len(s); {
			line := s[next:lineEnd(s, next)]
			if strings.TrimSpace(line) != "" && len(line)-len(strings.TrimLeft(line, " ")) <= indent {
				break
			}
			end = lineEnd(s, next)
			next = end + 1
		}
		return end
	default:
		end := lineEnd(s, start)
		if flow {
			if i := strings.IndexAny(s[start:end], ",]}"); i >= 0 {
				end = start + i
			}
		}
		return start + len(strings.TrimRight(s[start:end], " \t\r"))
	}
	return len(s)
}

// lineEnd is the offset of the newline ending the line at i, or len(s).
func lineEnd(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(s)
}

// splitProperty splits a line Properties writes at its first unescaped
// '=' (or ':'); comments and blank lines are not properties.
func splitProperty(line string) (key, value string, ok bool) {
	if line == "" || line[0] == '#' || line[0] == '!' {
		return "", "", false
	}
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '=', ':':
			return line[:i], line[i+1:], true
		}
	}
	return "", "", false
}

// propertyPath reads a flattened key (db.pool.max, hosts[0]) as a path;
// escapes in the key are kept, as the key's words are what the secret
// pattern reads.
func propertyPath(key string) fieldpath.Path {
	var p fieldpath.Path
	for _, part := range strings.Split(key, ".") {
		name, rest, _ := strings.Cut(part, "[")
		p = p.Field(name)
		for rest != "" {
			idx, after, found := strings.Cut(rest, "]")
			if n, err := strconv.Atoi(idx); err == nil {
				p = p.Index(n)
			}
			if !found {
				break
			}
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return p
}

// Redactor returns a function that hides the sensitive values of two
// versions of an output file (nil for a missing side), for `govctl diff`:
// in a Nacos entry rendered from objs, each value matcher finds sensitive
// at its path is replaced by secret.Marker, or secret.Changed on the new
// side when it differs from the old one; every file is then scrubbed of
// the literals matcher knows.
func Redactor(m *schema.Model, matcher *secret.Matcher, objs []render.Object) func(path string, old, new []byte) ([]byte, []byte) {
	type entryFile struct{ service, typ string }
	files := map[string]entryFile{}
	for _, o := range objs {
		if o.Target != render.TargetNacos || o.Derived || o.Raw == nil || o.Service == "" {
			continue
		}
		r, err := m.Resolve(o.Env)
		if err != nil || r.Services[o.Service] == nil {
			continue
		}
		files[o.Path] = entryFile{service: o.Service, typ: r.Services[o.Service].Config.Format}
	}
	lits := matcher.Literals()
	data := fieldpath.New("config", "data")
	return func(path string, old, new []byte) ([]byte, []byte) {
		before, after := string(old), string(new)
		f, ok := files[path]
		if !ok {
			// An entry the render no longer writes (its service removed)
			// is read by its file name; with no service, the rule's key and
			// value patterns still find its secrets.
			f.typ, ok = prunedEntryType(path)
		}
		if ok {
			sensitive := func(p fieldpath.Path, v any) bool {
				return matcher.SensitiveValue(f.service, data.Append(p...), v)
			}
			before, after = secret.RedactPair(before, after,
				SensitiveValues(f.typ, before, sensitive), SensitiveValues(f.typ, after, sensitive))
		}
		return side(old, secret.ScrubString(before, lits...)), side(new, secret.ScrubString(after, lits...))
	}
}

// prunedEntryType guesses the type of an entry file the render does not
// write (<env>/nacos/<namespace>/<group>/<dataId>) from its dataId's
// extension; ok is false for other files.
func prunedEntryType(p string) (string, bool) {
	parts := strings.Split(p, "/")
	if len(parts) != 5 || parts[1] != "nacos" {
		return "", false
	}
	switch strings.ToLower(path.Ext(parts[4])) {
	case ".yaml", ".yml":
		return TypeYAML, true
	case ".json":
		return TypeJSON, true
	case ".properties":
		return TypeProperties, true
	}
	return "", false
}

// side keeps a missing version missing.
func side(orig []byte, s string) []byte {
	if orig == nil {
		return nil
	}
	return []byte(s)
}

// ContentFields reads an entry's content back in its type and returns its
// leaf values by path below config.data (printed as fieldpath prints
// them): yaml and json as a tree, properties as key=value lines, text as
// the single value content. ok is false when the content does not read
// back in its type.
func ContentFields(typ, content string) (fields map[string]string, ok bool) {
	fields = map[string]string{}
	switch typ {
	case TypeYAML, TypeJSON:
		var tree any
		if err := yaml.Unmarshal([]byte(content), &tree); err != nil {
			return nil, false
		}
		flatten(nil, tree, fields)
	case TypeProperties:
		for line := range strings.Lines(content) {
			if key, value, ok := splitProperty(strings.TrimRight(line, "\r\n")); ok {
				fields[propertyPath(key).String()] = value
			}
		}
	case TypeText:
		fields["content"] = content
	default:
		return nil, false
	}
	return fields, true
}

func flatten(p fieldpath.Path, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			flatten(p.Field(k), e, out)
		}
	case []any:
		for i, e := range t {
			flatten(p.Index(i), e, out)
		}
	default:
		out[p.String()] = fmt.Sprint(v)
	}
}

// EntryServices returns the service each config entry of env is rendered
// for, by key.
func EntryServices(m *schema.Model, env string) (map[Key]string, error) {
	byEnv, err := entries(context.Background(), m, []string{env})
	if err != nil {
		return nil, err
	}
	out := make(map[Key]string, len(byEnv[env]))
	for _, r := range byEnv[env] {
		k := r.Key()
		k.Namespace = NormalizeNamespace(k.Namespace)
		out[k] = r.service
	}
	return out, nil
}
