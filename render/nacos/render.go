package nacos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// The Identity kinds of the objects Renderer returns.
const (
	// KindConfig is a config entry. Its Identity has no APIVersion (Nacos
	// configs are not API objects of a versioned group); Namespace is the
	// Nacos namespace id and Name is "<group>/<dataId>", the
	// namespace/group/dataId identity plan matches entries by.
	KindConfig = "NacosConfig"
	// KindIndex is the index of one environment's entries (index.json).
	KindIndex = "NacosIndex"
	// KindBundle is the console import bundle of one environment
	// (import.zip).
	KindBundle = "NacosImportBundle"
)

// IndexVersion is the format version of index.json.
const IndexVersion = 1

// ErrNotNacos is matched (errors.Is) by the error of Entries for a
// platform whose configCenter.kind is not "nacos".
var ErrNotNacos = errors.New("the platform's config centre is not Nacos")

// Renderer renders the Nacos target: for every environment, one config
// entry per service, an index of them and the console's import bundle.
//
// It renders only for a platform whose configCenter.kind is "nacos". For
// "none" there is no config centre to fill, and for "apollo" govctl has no
// renderer (Apollo's namespaces, clusters and item model are not Nacos'):
// in both cases Render returns no objects and no error, so that rendering
// every target of such a platform works. Entries, which apply and plan use,
// refuses such a platform instead (ErrNotNacos).
type Renderer struct{}

var _ render.Renderer = Renderer{}

// Target returns render.TargetNacos.
func (Renderer) Target() render.Target { return render.TargetNacos }

// Render returns, for each environment of envs in order:
//
//   - one KindConfig object per service at EntryPath, its Raw the entry's
//     content byte for byte (no header: Nacos serves the file to the
//     service as it is), sorted by group and dataId;
//   - the index at IndexPath: JSON {version, environment, entries}, each
//     entry's namespace, group, dataId, type, md5, path (of its content
//     file), service and source (spec file), sorted by group and dataId;
//   - the import bundle at BundlePath (Bundle of the environment's
//     entries), which the Nacos console's "import configuration" takes.
//
// An environment without services renders nothing. Spec values the
// entries cannot be built from are reported together as a
// *schema.ErrorList naming each service, environment and file:line.
func (Renderer) Render(ctx context.Context, m *schema.Model, envs []string) ([]render.Object, error) {
	if !isNacos(m) {
		return nil, nil
	}
	byEnv, err := entries(ctx, m, envs)
	if err != nil {
		return nil, err
	}
	var objs []render.Object
	for _, env := range envs {
		rendered := byEnv[env]
		if len(rendered) == 0 {
			continue
		}
		ns := rendered[0].Namespace
		plain := make([]Entry, len(rendered))
		for i, r := range rendered {
			plain[i] = r.Entry
			objs = append(objs, render.Object{
				Target:  render.TargetNacos,
				Env:     env,
				Service: r.service,
				Path:    EntryPath(env, r.Entry),
				ID:      render.Identity{Kind: KindConfig, Namespace: r.Namespace, Name: r.Group + "/" + r.DataID},
				Source:  r.source,
				Raw:     []byte(r.Content),
			})
		}
		index, err := marshalIndex(env, rendered)
		if err != nil {
			return nil, fmt.Errorf("render nacos for %s: index: %w", env, err)
		}
		bundle, err := Bundle(plain)
		if err != nil {
			return nil, fmt.Errorf("render nacos for %s: %w", env, err)
		}
		objs = append(objs,
			render.Object{
				Target:  render.TargetNacos,
				Env:     env,
				Path:    IndexPath(env),
				ID:      render.Identity{Kind: KindIndex, Namespace: ns, Name: env},
				Derived: true,
				Raw:     index,
			},
			render.Object{
				Target:  render.TargetNacos,
				Env:     env,
				Path:    BundlePath(env),
				ID:      render.Identity{Kind: KindBundle, Namespace: ns, Name: env},
				Derived: true,
				Raw:     bundle,
			})
	}
	return objs, nil
}

// Entries returns the desired entries of each environment of envs (a key
// for each, even when it has no services), sorted by group and dataId:
// what `govctl apply nacos` publishes and `plan --nacos` compares with the
// live server, without writing files. They are exactly the entries Render
// writes. It fails with ErrNotNacos when the platform's config centre is
// not Nacos, and with a *schema.ErrorList for spec values an entry cannot
// be built from.
func Entries(m *schema.Model, envs []string) (map[string][]Entry, error) {
	if !isNacos(m) {
		kind := m.Platform.ConfigCenter.Kind
		if kind == "" {
			kind = "none"
		}
		return nil, fmt.Errorf("platform %s: configCenter.kind is %q: %w", m.Platform.Name, kind, ErrNotNacos)
	}
	byEnv, err := entries(context.Background(), m, envs)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]Entry, len(envs))
	for _, env := range envs {
		list := make([]Entry, 0, len(byEnv[env]))
		for _, r := range byEnv[env] {
			list = append(list, r.Entry)
		}
		out[env] = list
	}
	return out, nil
}

// EntryPath is where an entry of env is written, relative to the output
// directory: <env>/nacos/<namespace>/<group>/<dataId>, the default
// namespace as "public".
func EntryPath(env string, e Entry) string {
	ns := e.Namespace
	if ns == "" {
		ns = PublicNamespace
	}
	return path.Join(env, "nacos", ns, e.Group, e.DataID)
}

// IndexPath is where the index of env's entries is written.
func IndexPath(env string) string { return path.Join(env, "nacos", "index.json") }

// BundlePath is where the import bundle of env's entries is written.
func BundlePath(env string) string { return path.Join(env, "nacos", "import.zip") }

// isNacos reports whether the platform keeps its config in Nacos.
func isNacos(m *schema.Model) bool { return m.Platform.ConfigCenter.Kind == "nacos" }

// renderedEntry is an entry with the service and spec file it came from.
type renderedEntry struct {
	Entry
	service string
	source  string
	pos     schema.Pos // of the dataId, for duplicate reports
}

// entries builds the entries of every environment of envs. Spec errors of
// all of them are collected (in the order of envs, then service names);
// one mistake met in several environments, as a mistake in a service's
// base config is, is reported once, naming them all.
func entries(ctx context.Context, m *schema.Model, envs []string) (map[string][]renderedEntry, error) {
	out := map[string][]renderedEntry{}
	problems := &diag.List{Dir: m.Dir}
	for _, env := range envs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := m.Resolve(env)
		if err != nil {
			return nil, fmt.Errorf("render nacos for %s: %w", env, err)
		}
		var list []renderedEntry
		seen := map[Key]renderedEntry{}
		for _, name := range r.ServiceNames() {
			svc := r.Services[name]
			if !svc.IsApp() {
				// A database, broker or cache reads no Kratos config.
				continue
			}
			e, p := serviceEntry(m, r, svc)
			if p != nil {
				p.Environments = []string{env}
				problems.Add(p)
				continue
			}
			if prev, dup := seen[e.Key()]; dup {
				p := newProblem(svc, dataIDField, e.pos,
					"entry %s is also the entry of service %s; give one of them another config.dataId or config.group",
					e.Key(), prev.service)
				p.Environments = []string{env}
				p.Related = []schema.Pos{prev.pos}
				problems.Add(p)
				continue
			}
			seen[e.Key()] = e
			list = append(list, e)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Key().Less(list[j].Key()) })
		out[env] = list
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// newProblem returns the diagnostic of a spec value the entry of svc cannot
// be built from; field is relative to the service.
func newProblem(svc *schema.Service, field fieldpath.Path, pos schema.Pos, format string, args ...any) *diag.Diagnostic {
	return &diag.Diagnostic{Pos: pos, Path: fieldpath.New("services", svc.Name).Append(field...), Message: "Nacos entry: " + fmt.Sprintf(format, args...)}
}

// serviceEntry builds the entry of svc in the environment r is resolved
// for.
func serviceEntry(m *schema.Model, r *schema.Resolved, svc *schema.Service) (renderedEntry, *diag.Diagnostic) {
	format := svc.Config.Format
	content, cerr := Content(format, svc.Config.Data)
	if cerr != nil {
		field := dataField
		var de *diag.Diagnostic
		if errors.As(cerr, &de) {
			field = field.Append(de.Path...)
			cerr = errors.New(de.Message)
		}
		return renderedEntry{}, newProblem(svc, field, svc.PosOf(field), "%v", cerr)
	}

	dataID := svc.ConfigDataID()
	group := svc.ConfigGroup(r.Platform)
	dataIDPos := svc.PosOf(dataIDField)
	if dataID == "." || dataID == ".." {
		// Valid for Nacos, but not a file name the entry can be written to.
		return renderedEntry{}, newProblem(svc, dataIDField, dataIDPos, "%q cannot be written as a file name; choose another dataId", dataID)
	}
	if group == "." || group == ".." {
		return renderedEntry{}, newProblem(svc, groupField, groupPos(m, svc), "%q cannot be written as a directory name; choose another group", group)
	}
	e, err := NewEntry(r.Environment.Namespace, group, dataID, format, content)
	if err != nil {
		field, pos := dataField, svc.PosOf(dataField)
		switch {
		case strings.TrimSpace(content) == "":
			err = fmt.Errorf("the content is blank, and Nacos refuses a config without content; give config.data at least one value")
		case checkName("dataId", dataID) != nil:
			field, pos = dataIDField, dataIDPos
		case checkName("group", group) != nil:
			field, pos = groupField, groupPos(m, svc)
		}
		return renderedEntry{}, newProblem(svc, field, pos, "%v", err)
	}
	return renderedEntry{Entry: e, service: svc.Name, source: svc.Source, pos: dataIDPos}, nil
}

// groupPos is where the service's group is set: its own config.group, or
// the platform's configCenter.group.
func groupPos(m *schema.Model, svc *schema.Service) schema.Pos {
	if svc.Config.Group != "" {
		return svc.PosOf(groupField)
	}
	if pos, ok := m.PosOf(fieldpath.New("platform", "configCenter", "group")); ok {
		return pos
	}
	return svc.PosOf(fieldpath.New("config"))
}

// The service fields an entry is made of.
var (
	dataField   = fieldpath.New("config", "data")
	dataIDField = fieldpath.New("config", "dataId")
	groupField  = fieldpath.New("config", "group")
)

// indexEntry is one line of index.json.
type indexEntry struct {
	Namespace string `json:"namespace"`
	Group     string `json:"group"`
	DataID    string `json:"dataId"`
	Type      string `json:"type"`
	MD5       string `json:"md5"`
	// Path is the content file, relative to the output directory.
	Path    string `json:"path"`
	Service string `json:"service"`
	Source  string `json:"source"`
}

// index is the document written to index.json.
type index struct {
	Version     int          `json:"version"`
	Environment string       `json:"environment"`
	Entries     []indexEntry `json:"entries"`
}

// marshalIndex writes the index of env's entries (already sorted by key):
// fixed field order, 2-space indent, trailing newline. Namespace is the
// Nacos namespace id ("" for the default namespace).
func marshalIndex(env string, entries []renderedEntry) ([]byte, error) {
	doc := index{Version: IndexVersion, Environment: env, Entries: make([]indexEntry, 0, len(entries))}
	for _, e := range entries {
		doc.Entries = append(doc.Entries, indexEntry{
			Namespace: e.Namespace,
			Group:     e.Group,
			DataID:    e.DataID,
			Type:      e.Type,
			MD5:       e.MD5,
			Path:      EntryPath(env, e.Entry),
			Service:   e.service,
			Source:    e.source,
		})
	}
	return marshalJSON(doc)
}

// Content renders config data in a format (yaml, properties, json or
// text) the way govctl publishes it. The output depends on the data only:
//
//   - yaml: render.MarshalYAML, keys sorted, no header;
//   - json: keys sorted, 2-space indent, trailing newline, no HTML
//     escaping;
//   - properties: see Properties;
//   - text: the string data.content exactly; any other shape of data is an
//     error.
//
// Map entries whose value is null are left out in every format (as the
// YAML writer does), so an environment overlay can remove an inherited key
// by setting it to null. A failure is a *diag.Diagnostic whose Path is
// relative to config.data and whose Pos is unset.
func Content(format string, data map[string]any) (string, error) {
	if format == TypeYAML {
		// MarshalYAML normalizes data itself, and normalizing twice costs
		// as much as the encoding on a large platform. Data it fails on
		// takes the path below, which says what is wrong.
		if b, err := render.MarshalYAML(data); err == nil {
			return string(b), nil
		}
	}
	tree, err := render.Normalize(data)
	if err != nil {
		return "", dataErr(err.Error())
	}
	generic, _ := tree.(map[string]any)
	if generic == nil {
		generic = map[string]any{}
	}
	switch format {
	case TypeYAML:
		b, err := render.MarshalYAML(generic)
		if err != nil {
			return "", dataErr("cannot write as yaml: " + err.Error())
		}
		return string(b), nil
	case TypeJSON:
		b, err := marshalJSON(generic)
		if err != nil {
			return "", dataErr("cannot write as json: " + err.Error())
		}
		return string(b), nil
	case TypeProperties:
		return Properties(generic)
	case TypeText:
		return textContent(generic)
	}
	return "", dataErr(fmt.Sprintf("unknown format %q (want yaml, properties, json or text)", format))
}

// marshalJSON encodes v with sorted map keys (encoding/json sorts them),
// 2-space indent and a trailing newline, leaving <, > and & as they are.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// textContent is data.content when data holds that one string.
func textContent(data map[string]any) (string, error) {
	v, ok := data["content"]
	if !ok {
		return "", dataErr("format text takes its content from config.data.content, a string, and there is none")
	}
	if len(data) > 1 {
		var extra []string
		for k := range data {
			if k != "content" {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		return "", dataErr(fmt.Sprintf("format text takes only config.data.content; remove %s or choose a structured format", strings.Join(extra, ", ")))
	}
	s, ok := v.(string)
	if !ok {
		return "", dataPath(fieldpath.New("content")).errorf("format text needs a string, not a %s", describeValue(v))
	}
	return s, nil
}

// Properties renders data as a Java properties file, the format Spring
// Boot and the Nacos Java client read:
//
//   - nested maps become dotted keys (db.maxOpen=50) and lists indexed
//     keys (hosts[0]=a), Spring Boot's relaxed-binding form; a key that
//     already contains dots is kept as it is (spring.application.name),
//     which Spring reads the same as the nested form;
//   - lines are sorted: map keys in byte order at every level, list
//     elements by index, so that [10] follows [9];
//   - keys and values are escaped exactly as java.util.Properties.store
//     does when writing to a stream: "\\", "=", ":", "#", "!" escaped,
//     tab, newline, carriage return and form feed as \t \n \r \f, spaces
//     escaped in keys and leading spaces in values, and every character
//     outside printable ASCII as \uXXXX (UTF-16, upper-case hex). The
//     content is therefore plain ASCII and reads the same whether a
//     reader decodes it as ISO-8859-1 (Properties.load(InputStream),
//     Spring Boot's loader) or as UTF-8;
//   - no comment and no date line, so the output depends on data only.
//
// Empty maps and lists write no line (properties cannot tell them from
// absent, and Spring binds both the same). It fails with a *diag.Diagnostic on
// what a properties file cannot represent: a null list element, an empty
// key, and two paths that flatten to the same key ({"db.maxOpen": 1} next
// to {db: {maxOpen: 2}}). Scalars are written in their YAML/JSON text:
// numbers as written, booleans as true/false.
func Properties(data map[string]any) (string, error) {
	p := &propertiesWriter{seen: map[string]string{}}
	if err := p.walk(data, "", nil); err != nil {
		return "", err
	}
	return p.buf.String(), nil
}

// propertiesWriter flattens a Normalize tree into properties lines.
type propertiesWriter struct {
	buf strings.Builder
	// seen maps each written key to the spec path it came from.
	seen map[string]string
}

// walk writes v under the flattened key; at is v's place below
// config.data (for errors).
func (p *propertiesWriter) walk(v any, key string, at dataPath) error {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			child := at.key(k)
			if k == "" {
				return child.errorf("an empty key cannot be part of a properties key")
			}
			flat := k
			if key != "" {
				flat = key + "." + k
			}
			if err := p.walk(v[k], flat, child); err != nil {
				return err
			}
		}
		return nil
	case []any:
		for i, e := range v {
			if err := p.walk(e, fmt.Sprintf("%s[%d]", key, i), at.index(i)); err != nil {
				return err
			}
		}
		return nil
	case nil:
		return at.errorf("a null list element cannot be written in properties")
	}
	value, ok := scalarText(v)
	if !ok {
		return at.errorf("a %s cannot be written in properties", describeValue(v))
	}
	if prev, dup := p.seen[key]; dup {
		return at.errorf("flattens to the properties key %q, as config.data.%s does; set the value once", key, prev)
	}
	p.seen[key] = fieldpath.Path(at).String()
	p.buf.WriteString(escapeProperties(key, true))
	p.buf.WriteByte('=')
	p.buf.WriteString(escapeProperties(value, false))
	p.buf.WriteByte('\n')
	return nil
}

// dataPath is a place in config data, relative to config.data.
type dataPath fieldpath.Path

func (p dataPath) key(k string) dataPath { return dataPath(fieldpath.Path(p).Field(k)) }
func (p dataPath) index(i int) dataPath  { return dataPath(fieldpath.Path(p).Index(i)) }

func (p dataPath) errorf(format string, args ...any) *diag.Diagnostic {
	return &diag.Diagnostic{Path: fieldpath.Path(p), Message: fmt.Sprintf(format, args...)}
}

// dataErr is a failure of config data as a whole.
func dataErr(msg string) *diag.Diagnostic { return &diag.Diagnostic{Message: msg} }

// scalarText is the text of a scalar of a Normalize tree.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// describeValue names the kind of a Normalize tree value for errors.
func describeValue(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "map"
	case []any:
		return "list"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case string:
		return "string"
	}
	return fmt.Sprintf("%T", v)
}

// escapeProperties is java.util.Properties.saveConvert(s, escapeSpace,
// escapeUnicode=true), the escaping of Properties.store(OutputStream): it
// works on UTF-16 code units, so a character outside the BMP becomes its
// two surrogates.
func escapeProperties(s string, escapeSpace bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	units := utf16.Encode([]rune(s))
	for i, c := range units {
		if c > 61 && c < 127 { // Java's fast path: '>' to '~'
			if c == '\\' {
				b.WriteString(`\\`)
			} else {
				b.WriteByte(byte(c))
			}
			continue
		}
		switch c {
		case ' ':
			if i == 0 || escapeSpace {
				b.WriteByte('\\')
			}
			b.WriteByte(' ')
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '=', ':', '#', '!':
			b.WriteByte('\\')
			b.WriteByte(byte(c))
		default:
			if c < 0x20 || c > 0x7e {
				b.WriteString(`\u`)
				b.WriteByte(hex[c>>12&0xF])
				b.WriteByte(hex[c>>8&0xF])
				b.WriteByte(hex[c>>4&0xF])
				b.WriteByte(hex[c&0xF])
			} else {
				b.WriteByte(byte(c))
			}
		}
	}
	return b.String()
}
