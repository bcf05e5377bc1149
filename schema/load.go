package schema

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
)

// schemaFileName is the name the embedded schema takes inside the spec dir
// while loading. It never touches the disk.
const schemaFileName = "zz_govctl_schema.cue"

// Load reads every .cue file of the spec package under dir (subdirectories
// included, cue.mod and hidden directories excluded), unifies them with the
// embedded schema, validates the result, resolves every environment and
// returns the typed model. A spec mistake is returned as *diag.List listing
// every error found, each at a file:line:col in the user's files.
func Load(ctx context.Context, dir string) (*Model, error) {
	return loadMemo(ctx, dir, nil, nil)
}

// loadMemo is Load with a resolution memo: services whose merged layers
// memo holds are not checked again; used, when not nil, receives every
// memo entry the load used or made.
func loadMemo(ctx context.Context, dir string, memo *resolutionMemo, used map[memoKey][]byte) (m *Model, err error) {
	defer func() {
		// The CUE evaluator is not ours; an internal panic on some input
		// must still reach the user as an error, not a stack trace.
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("load %s: internal error in the CUE evaluator: %v (please report this input)", dir, r)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("load %s: spec directory does not exist (use --dir to name it)", dir)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("load %s: not a directory (use --dir to name the spec directory)", dir)
	}
	files, err := specFiles(abs)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	if len(files) == 0 {
		if below := platformsBelow(abs); len(below) > 0 {
			for i, b := range below {
				below[i] = filepath.Join(dir, filepath.FromSlash(b))
			}
			return nil, fmt.Errorf("load %s: no spec here, only platforms below it (each directory with its own cue.mod is a platform of its own): %s; name one with --dir, e.g. --dir %s",
				dir, strings.Join(below, ", "), below[0])
		}
		return nil, fmt.Errorf("load %s: no .cue files found; run `govctl init %s` to create a platform, or use --dir to name the spec directory", dir, dir)
	}
	l := &loader{dir: dir, abs: abs, files: files, errs: &diag.List{Dir: dir}, memo: memo, used: used}
	return l.load(ctx)
}

type loader struct {
	dir   string
	abs   string
	files []string // relative, slash-separated
	errs  *diag.List
	ctx   *cue.Context
	value cue.Value
	pkg   string
	// schema is the embedded schema compiled on its own, for suggestions.
	schema cue.Value
	// notAllowed holds the paths CUE reported as fields the schema does
	// not allow.
	notAllowed map[string]bool
	// relFiles memoises relFile by CUE file name.
	relFiles map[string]string
	// memo and used are the resolution memo read and the entries used.
	memo *resolutionMemo
	used map[memoKey][]byte
}

// specFiles lists the .cue files under abs, relative and sorted, skipping
// cue.mod, hidden and underscore directories, a generated schema copy, and
// subdirectories holding their own cue.mod: each of those is a platform of
// its own, never merged into its parent's.
func specFiles(abs string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != abs && (name == "cue.mod" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules" || isPlatformRoot(p)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || filepath.Ext(name) != ".cue" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return nil
		}
		if generated, err := isGeneratedSchema(p); err != nil || generated {
			return err
		}
		rel, err := filepath.Rel(abs, p)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(files)
	return files, err
}

// isPlatformRoot reports whether dir holds a cue.mod directory, which makes
// it a CUE module, and so a platform of its own.
func isPlatformRoot(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "cue.mod"))
	return err == nil && st.IsDir()
}

// platformsBelow lists, relative to abs and sorted, the platform roots
// (directories with their own cue.mod) below abs that hold spec files, not
// descending into a platform: what to name when abs itself holds no spec.
func platformsBelow(abs string) []string {
	var out []string
	_ = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || p == abs {
			return nil
		}
		name := d.Name()
		if name == "cue.mod" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules" {
			return filepath.SkipDir
		}
		if isPlatformRoot(p) {
			if files, err := specFiles(p); err == nil && len(files) > 0 {
				rel, _ := filepath.Rel(abs, p)
				out = append(out, filepath.ToSlash(rel))
			}
			return filepath.SkipDir
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func isGeneratedSchema(p string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, len(generatedMarker))
	n, _ := f.Read(buf)
	return string(buf[:n]) == generatedMarker, nil
}

func (l *loader) load(ctx context.Context) (*Model, error) {
	if err := l.readPackage(); err != nil {
		return nil, err
	}
	schemaPath := filepath.Join(l.abs, schemaFileName)
	cfg := &load.Config{
		Dir:     l.abs,
		Overlay: map[string]load.Source{schemaPath: load.FromBytes(Source(l.pkg))},
	}
	args := make([]string, 0, len(l.files)+1)
	for _, f := range l.files {
		args = append(args, "./"+f)
	}
	args = append(args, schemaPath)
	insts := load.Instances(args, cfg)
	if len(insts) != 1 {
		return nil, fmt.Errorf("load %s: expected one CUE instance, got %d", l.dir, len(insts))
	}
	if err := insts[0].Err; err != nil {
		l.addCUE(err)
		return nil, l.errs.Err()
	}
	l.ctx = cuecontext.New()
	l.value = l.ctx.BuildInstance(insts[0])
	if !l.value.Exists() {
		l.addCUE(l.value.Err())
		return nil, l.errs.Err()
	}
	l.schema = l.ctx.CompileString(schemaSource, cue.Filename(schemaFileName))
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if !l.userSet(cue.ParsePath("platform")) {
		l.addf(Pos{File: l.files[0]}, nil, "no platform declared; add `platform: {name: ..., registry: {...}}` to a spec file (see `govctl init`)")
		return nil, l.errs.Err()
	}
	if err := l.value.Validate(cue.Concrete(true), cue.All()); err != nil {
		l.addCUE(err)
	}
	// Names that point nowhere are reported next to schema errors, so one
	// run lists every mistake; the tree tolerates invalid values.
	m := l.newModel()
	l.checkTopLevel(m)
	if l.notAllowed == nil {
		l.notAllowed = map[string]bool{}
	}
	if l.errs.Len() > 0 {
		// CUE reports a field the schema does not allow only where the
		// struct has no other error; check every struct's names, so a
		// type error does not hide a misspelt field beside it.
		l.checkFields(m.trees, l.schema, nil)
	}
	l.checkReferences(m)
	if l.errs.Len() > 0 {
		// Resolution still finds what only the merged layers show (a
		// field every layer leaves out); a field already reported is not
		// reported again.
		if l.decode(m) == nil {
			reported := l.errs.Diags
			l.resolveAll(m)
			l.errs.Diags = append(reported, unreported(l.errs.Diags[len(reported):], reported)...)
		}
		return nil, l.errs.Err()
	}
	if err := l.decode(m); err != nil {
		return nil, err
	}
	if l.errs.Len() == 0 {
		l.resolveAll(m)
	}
	if l.errs.Len() > 0 {
		return nil, l.errs.Err()
	}
	return m, nil
}

// resolveAll resolves every service in every environment, so that a spec
// that loads is one every command can use. A mistake that shows in several
// environments is one diagnostic listing them (diag.List.Err merges them).
func (l *loader) resolveAll(m *Model) {
	m.resolved = map[string]*Resolved{}
	envNames := m.EnvironmentNames()
	rs, errsPerEnv := m.resolveEnvs(envNames, l.memo, l.used)
	for i, env := range envNames {
		l.errs.Add(errsPerEnv[i]...)
		if len(errsPerEnv[i]) == 0 {
			m.resolved[env] = rs[i]
		}
	}
}

// addf records an error at pos about the field at path.
func (l *loader) addf(pos Pos, path fieldpath.Path, format string, args ...any) {
	l.errs.Add(diag.Errorf(pos, path, format, args...))
}

// readPackage finds the package name the spec files share; CUE reports a
// mismatch itself when the instance is built.
func (l *loader) readPackage() error {
	for _, f := range l.files {
		src, err := os.ReadFile(filepath.Join(l.abs, filepath.FromSlash(f)))
		if err != nil {
			return fmt.Errorf("load %s: %w", l.dir, err)
		}
		file, err := parser.ParseFile(f, src, parser.PackageClauseOnly)
		if err != nil {
			l.addCUE(err)
			return l.errs.Err()
		}
		if name := file.PackageName(); name != "" {
			l.pkg = name
			return nil
		}
	}
	return nil
}

// relPos turns a CUE position into a spec-relative one; ok is false for
// positions outside the user's files (the embedded schema).
func (l *loader) relPos(p token.Pos) (Pos, bool) {
	if !p.IsValid() {
		return Pos{}, false
	}
	name := p.Filename()
	file, ok := l.relFiles[name]
	if !ok {
		file = l.relFile(name)
		if l.relFiles == nil {
			l.relFiles = map[string]string{}
		}
		l.relFiles[name] = file
	}
	if file == "" {
		return Pos{}, false
	}
	return Pos{File: file, Line: p.Line(), Column: p.Column()}, true
}

// relFile names a CUE file name as positions show it: relative to the
// spec dir, slash-separated; "" for the embedded schema.
func (l *loader) relFile(name string) string {
	if name == "" || filepath.Base(name) == schemaFileName {
		return ""
	}
	if filepath.IsAbs(name) {
		rel, err := filepath.Rel(l.abs, name)
		if err != nil || strings.HasPrefix(rel, "..") {
			// An imported package's file (e.g. an organisation policy
			// under cue.mod): name it as CUE does.
			return filepath.ToSlash(name)
		}
		name = rel
	}
	return filepath.ToSlash(strings.TrimPrefix(name, "./"))
}

// userPos returns where a user file sets v. Value.Pos picks one conjunct
// and may pick the schema's (a list constrained by the schema), so every
// conjunct of a unification is consulted.
func (l *loader) userPos(v cue.Value) (Pos, bool) {
	if p, ok := l.relPos(v.Pos()); ok {
		return p, true
	}
	if op, args := v.Expr(); op == cue.AndOp {
		for _, a := range args {
			if p, ok := l.relPos(a.Pos()); ok {
				return p, true
			}
		}
	}
	return Pos{}, false
}

// userSet reports whether any conjunct of the value at path comes from a
// user file.
func (l *loader) userSet(p cue.Path) bool {
	return l.userSetValue(l.value.LookupPath(p))
}

func (l *loader) userSetValue(v cue.Value) bool {
	if !v.Exists() {
		return false
	}
	if _, ok := l.userPos(v); ok {
		return true
	}
	if it, err := v.Fields(); err == nil {
		for it.Next() {
			if l.userSetValue(it.Value()) {
				return true
			}
		}
	}
	return false
}

// nearestPos returns where a user file sets the value at path or its
// nearest ancestor: for a field CUE reports without a position (a required
// field left out), the struct that lacks it. Every conjunct is consulted
// (Value.Pos may name the schema's, or another file's for a struct several
// files add to), and among an ancestor's user conjuncts the one that holds
// the path below it wins, so a service is never blamed on another's file.
func (l *loader) nearestPos(path fieldpath.Path) Pos {
	for i := len(path); i > 0; i-- {
		v := l.value.LookupPath(cuePathOf(path[:i]))
		if !v.Exists() {
			continue
		}
		var first Pos
		found := false
		for _, c := range conjuncts(v) {
			p, ok := l.relPos(c.Pos())
			if !ok {
				continue
			}
			if i == len(path) || c.LookupPath(cuePathOf(path[i:i+1])).Exists() {
				return p
			}
			if !found {
				first, found = p, true
			}
		}
		if found {
			return first
		}
	}
	return Pos{File: l.files[0]}
}

// conjuncts returns the parts a value is unified from, or the value itself.
func conjuncts(v cue.Value) []cue.Value {
	if op, args := v.Expr(); op == cue.AndOp {
		return args
	}
	return []cue.Value{v}
}

// cuePathOf returns the CUE path of a field path.
func cuePathOf(path fieldpath.Path) cue.Path {
	s := make([]cue.Selector, 0, len(path))
	for _, sel := range path {
		switch {
		case sel.IsIndex:
			s = append(s, cue.Index(sel.Index))
		case strings.HasPrefix(sel.Name, "#"):
			s = append(s, cue.Def(sel.Name))
		default:
			s = append(s, cue.Str(sel.Name))
		}
	}
	return cue.MakePath(s...)
}

// fromCUE turns the selectors of a CUE error path (labels quoted when they
// are not identifiers, list indexes in decimal) into a field path.
func fromCUE(sels []string) fieldpath.Path {
	p := make(fieldpath.Path, 0, len(sels))
	for _, s := range sels {
		if strings.HasPrefix(s, `"`) {
			if u, err := strconv.Unquote(s); err == nil {
				p = append(p, fieldpath.Field(u))
				continue
			}
		}
		if i, err := strconv.Atoi(s); err == nil && i >= 0 {
			p = append(p, fieldpath.Idx(i))
			continue
		}
		p = append(p, fieldpath.Field(s))
	}
	return p
}

// addCUE converts CUE errors into spec errors at user positions.
func (l *loader) addCUE(err error) {
	all := cueerrors.Errors(err)
	// A value that fails a schema disjunction with a default (`*0.05 |
	// number & <=1`) yields a summary, a conflict with the default and the
	// real reason; for each path keep only the most telling messages.
	best := map[string]int{}
	for _, e := range all {
		k := strings.Join(e.Path(), ".")
		best[k] = max(best[k], messageRank(e))
	}
	// A value outside an enum ("fatal" for error | warning | info) fails
	// against each choice; one line listing the choices says it better.
	choices := map[string][]string{}
	for _, e := range all {
		format, args := e.Msg()
		if m := literalConflict.FindStringSubmatch(fmt.Sprintf(format, args...)); m != nil {
			k := strings.Join(e.Path(), ".")
			choices[k] = append(choices[k], m[1])
		}
	}
	collapsed := map[string]bool{}
	for _, e := range all {
		if messageRank(e) < best[strings.Join(e.Path(), ".")] || explainedBelow(e, all) {
			continue
		}
		k := strings.Join(e.Path(), ".")
		if c := choices[k]; len(c) > 1 {
			if collapsed[k] {
				continue
			}
			collapsed[k] = true
			format, args := e.Msg()
			m := literalConflict.FindStringSubmatch(fmt.Sprintf(format, args...))
			sort.Strings(c)
			names := make([]string, len(c))
			for i, q := range c {
				names[i], _ = strconv.Unquote(q)
			}
			given, _ := strconv.Unquote(m[2])
			ce := collapsedError{msg: fmt.Sprintf("%s is not one of %s%s", m[2], strings.Join(c, " | "), diag.DidYouMean(given, names)), pos: e.Position(), path: e.Path()}
			for _, o := range all {
				if strings.Join(o.Path(), ".") == k {
					ce.inputs = append(ce.inputs, o.InputPositions()...)
				}
			}
			e = ce
		}
		path := fromCUE(e.Path())
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		if u := userMessage(e, schemaAt(l.schema, path)); u != "" {
			msg = u
		}
		// Every user file taking part is named: the platform's own files
		// first (where the user acts), then imported packages such as an
		// organisation baseline under cue.mod.
		var own, imported []Pos
		seen := map[Pos]bool{}
		for _, p := range append([]token.Pos{e.Position()}, e.InputPositions()...) {
			rp, isUser := l.relPos(p)
			if !isUser || seen[rp] {
				continue
			}
			seen[rp] = true
			if strings.HasPrefix(rp.File, "cue.mod/") || filepath.IsAbs(rp.File) {
				imported = append(imported, rp)
			} else {
				own = append(own, rp)
			}
		}
		all := append(own, imported...)
		pos, ok := Pos{}, len(all) > 0
		var also []Pos
		if ok {
			pos, also = all[0], all[1:]
		}
		if !ok {
			if l.value.Exists() && len(path) > 0 {
				pos = l.nearestPos(path)
			} else if len(l.files) > 0 {
				pos = Pos{File: l.files[0]}
			}
		}
		if prefix, rel := serviceRel(path); (strings.HasPrefix(msg, "incomplete value") || msg == "field is required but not present") && prefix != nil {
			// A field required because of another one's value: the
			// message points at what the user wrote.
			if cause, ok := missingCause(rel); ok {
				full := slices.Clone(prefix).Append(cause...)
				if v := l.value.LookupPath(cuePathOf(full)); v.Exists() {
					if p, ok := l.relPos(v.Pos()); ok {
						pos, also = p, nil
					}
				}
			}
		}
		if msg == "field not allowed" {
			if l.notAllowed == nil {
				l.notAllowed = map[string]bool{}
			}
			l.notAllowed[path.String()] = true
		}
		msg = l.explainMsg(path.Names(), msg)
		if inConfigData(path) {
			msg = withoutValues(msg)
		}
		l.errs.Add(&diag.Diagnostic{Pos: pos, Path: path, Message: msg, Related: also})
	}
}

// inConfigData reports whether path is inside a service's config data
// (services.<name>.config.data…, its environment overlays and defaults
// included).
func inConfigData(path fieldpath.Path) bool {
	for i := 0; i+1 < len(path); i++ {
		if path[i].Name == "config" && path[i+1].Name == "data" && !path[i].IsIndex && !path[i+1].IsIndex {
			return true
		}
	}
	return false
}

// valueConflict is CUE's conflict between two values, with its
// type mismatch when there is one.
var valueConflict = regexp.MustCompile(`^conflicting values .+? and .+?( \(mismatched types [^)]*\))?$`)

// valueIs is a message that starts with the value it is about: `"x" is a
// string; want …`, `42 is a whole number; …`.
var valueIs = regexp.MustCompile(`^(?:"(?:[^"\\]|\\.)*"|[^\s"]+) is (.+)$`)

// quotedValue is a string literal quoted in a message.
var quotedValue = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// withoutValues removes the values a message about config data quotes:
// config data is where passwords and tokens are written, and the message
// of a spec that does not load reaches CI logs before anything knows which
// keys the secret rule treats as secrets (the spec's own policies may
// change them). The positions of both sides say where to look.
func withoutValues(msg string) string {
	if m := valueConflict.FindStringSubmatch(msg); m != nil {
		return "conflicting values" + m[1] + ": the values are not shown, as config data may hold secrets; set the field once"
	}
	if m := valueIs.FindStringSubmatch(msg); m != nil {
		return "the value is " + m[1] + " (it is not shown, as config data may hold secrets)"
	}
	if !quotedValue.MatchString(msg) {
		return msg
	}
	return quotedValue.ReplaceAllString(msg, "(a value)") + " (values not shown, as config data may hold secrets)"
}

// literalConflict is a conflict between a schema choice and a user value.
var literalConflict = regexp.MustCompile(`^conflicting values ("[^"]*") and ("[^"]*")$`)

// collapsedError is one message standing for several CUE errors at one
// path; it keeps their path and input positions.
type collapsedError struct {
	msg    string
	pos    token.Pos
	path   []string
	inputs []token.Pos
}

func (c collapsedError) Position() token.Pos         { return c.pos }
func (c collapsedError) InputPositions() []token.Pos { return c.inputs }
func (c collapsedError) Error() string               { return c.msg }
func (c collapsedError) Path() []string              { return c.path }
func (c collapsedError) Msg() (string, []any)        { return "%s", []any{c.msg} }

var typeConflict = regexp.MustCompile(`^conflicting values (.+ and (int|float|number|string|bool|bytes|null)|(int|float|number|string|bool|bytes|null) and .+) \(mismatched`)

// messageRank orders CUE messages for one path: the specific reason (a
// bound, a validator, a missing field) over a conflict with a type over a
// conflict with a default over the disjunction summary.
func messageRank(e cueerrors.Error) int {
	format, args := e.Msg()
	msg := fmt.Sprintf(format, args...)
	switch {
	case strings.HasSuffix(msg, "errors in empty disjunction:"):
		return 0
	case strings.HasPrefix(msg, "incompatible list lengths"):
		// The user's list against a default list of another length.
		return 1
	case typeConflict.MatchString(msg):
		return 2
	case strings.HasPrefix(msg, "conflicting values"):
		return 1
	}
	return 3
}

// serviceRel splits a path inside a service (services.<name>…, or its
// overlay services.<name>.env.<env>…) into the service or overlay and the
// field's path relative to it; both are nil for any other path.
func serviceRel(path fieldpath.Path) (prefix, rel fieldpath.Path) {
	if len(path) < 3 || path[0].Name != "services" {
		return nil, nil
	}
	n := 2
	if path[2].Name == "env" && len(path) > 4 {
		n = 4
	}
	return path[:n], path[n:]
}

// explainMsg rewrites CUE's terser messages into ones that say what to do.
func (l *loader) explainMsg(sels []string, msg string) string {
	switch {
	case msg == "field not allowed" && len(sels) >= 1:
		name := sels[len(sels)-1]
		parent := sels[:len(sels)-1]
		if len(parent) == 1 && (parent[0] == "services" || parent[0] == "environments") {
			kind := strings.TrimSuffix(parent[0], "s")
			return fmt.Sprintf("%s name %q is not valid: use a DNS label (lowercase letters, digits and '-', starting with a letter, at most 63 characters)", kind, name)
		}
		if len(parent) >= 2 && parent[len(parent)-2] == "policies" && parent[len(parent)-1] == "rules" {
			return fmt.Sprintf("rule id %q is not valid: %s", name, patternWords[`^[A-Z]+(-[A-Z]+)*-[0-9]{3}$`])
		}
		if last := parent[len(parent)-1:]; len(last) == 1 && (last[0] == "dependencies" || last[0] == "env") {
			kind := map[string]string{"dependencies": "dependency", "env": "environment"}[last[0]]
			return fmt.Sprintf("%s name %q is not valid: use a DNS label (lowercase letters, digits and '-', starting with a letter, at most 63 characters)", kind, name)
		}
		allowed := l.allowedFields(parent)
		if len(allowed) == 0 {
			return fmt.Sprintf("%q is not allowed here (`govctl schema` shows what is)", name)
		}
		return "unknown field" + diag.DidYouMean(name, allowed)
	case strings.HasPrefix(msg, "incomplete value"), msg == "field is required but not present":
		if _, rel := serviceRel(fieldpath.New(sels...)); rel != nil {
			if words, ok := requiredWhenWords(rel); ok {
				return "required field is missing: " + words
			}
		}
		return "required field is missing: add it to this struct" + missingWords(schemaAt(l.schema, fromCUE(sels)))
	case msg == "import failed":
		return "import failed: the package is not in CUE's standard library, not vendored under cue.mod/pkg/<import path> and not a dependency the CUE module registry could provide"
	}
	return msg
}

// missingWords says what a required field that is left out takes, in the
// spec's words (never CUE's "time.Duration()"), as "; want …"; "" when
// the schema of the field is not known.
func missingWords(field cue.Value) string {
	if !field.Exists() {
		return ""
	}
	return "; want " + wantWords(fmt.Sprint(field), field.IncompleteKind().String())
}

// allowedFields lists the fields the schema allows at a path, following
// pattern constraints (services.<name> → #ServiceSpec).
func (l *loader) allowedFields(sels []string) []string {
	cur := l.schema
	for _, s := range sels {
		next := cur.LookupPath(cue.MakePath(cue.Str(s)))
		if !next.Exists() {
			next = cur.LookupPath(cue.MakePath(cue.Str(s).Optional()))
		}
		if !next.Exists() {
			next = cur.LookupPath(cue.MakePath(cue.AnyString))
		}
		if !next.Exists() {
			return nil
		}
		cur = next
	}
	it, err := cur.Fields(cue.Optional(true))
	if err != nil {
		return nil
	}
	var names []string
	for it.Next() {
		names = append(names, strings.TrimRight(it.Selector().String(), "?!"))
	}
	return names
}

// newModel records where the user set every field; it works on invalid
// values too, for reference checks.
func (l *loader) newModel() *Model {
	m := &Model{
		Dir:          l.dir,
		Package:      l.pkg,
		Files:        l.files,
		Environments: map[string]*Environment{},
		Services:     map[string]*ServiceSpec{},
		positions:    map[string]Pos{},
	}
	m.trees = l.tree(l.value, nil, m.positions)
	svcs := m.trees.get("services")
	for _, name := range svcs.keys() {
		spec := &ServiceSpec{Name: name}
		spec.Pos, _ = m.PosOf(fieldpath.New("services", name))
		if overlays := svcs.fields[name].get("env"); overlays != nil {
			spec.Overlays = overlays.keys()
		}
		m.Services[name] = spec
	}
	for _, name := range m.trees.get("environments").keys() {
		m.Environments[name] = &Environment{Name: name}
	}
	if ext := m.trees.get("externals"); ext != nil {
		m.Externals = map[string]*External{}
		for _, name := range ext.keys() {
			m.Externals[name] = &External{Name: name}
		}
	}
	return m
}

// decode fills the typed platform, environments and policies of a valid
// spec.
func (l *loader) decode(m *Model) error {
	if err := l.value.LookupPath(cue.ParsePath("platform")).Decode(&m.Platform); err != nil {
		return fmt.Errorf("load %s: decode platform: %w", l.dir, err)
	}
	for name, env := range m.Environments {
		if err := l.value.LookupPath(cue.MakePath(cue.Str("environments"), cue.Str(name))).Decode(env); err != nil {
			return fmt.Errorf("load %s: decode environment %s: %w", l.dir, name, err)
		}
		env.Name = name
		env.Pos, _ = m.PosOf(fieldpath.New("environments", name))
		if env.Reviewers == nil {
			env.Reviewers = []string{}
		}
	}
	// Only when none is written: environments that fail to evaluate (a file
	// holding a bare 0 beside them) have been reported already.
	if len(m.Environments) == 0 && !l.userSet(cue.ParsePath("environments")) {
		l.addf(m.mustPos(fieldpath.New("platform")), fieldpath.New("environments"), "no environments declared; add at least one, e.g. `environments: dev: {tier: \"dev\"}`")
	}
	for name, ext := range m.Externals {
		if err := l.value.LookupPath(cue.MakePath(cue.Str("externals"), cue.Str(name))).Decode(ext); err != nil {
			return fmt.Errorf("load %s: decode external %s: %w", l.dir, name, err)
		}
		ext.Name = name
		ext.Pos, _ = m.PosOf(fieldpath.New("externals", name))
	}
	if pol := l.value.LookupPath(cue.ParsePath("policies")); pol.Exists() {
		m.Policies = &Policies{}
		if err := pol.Decode(m.Policies); err != nil {
			return fmt.Errorf("load %s: decode policies: %w", l.dir, err)
		}
	}
	return nil
}

func (m *Model) mustPos(path fieldpath.Path) Pos {
	p, _ := m.PosOf(path)
	return p
}

// checkReferences reports names that point nowhere: overlays for undefined
// environments, dependencies and fallbacks on undefined services, and a
// service depending on itself.
func (l *loader) checkReferences(m *Model) {
	envNames := slices.Sorted(maps.Keys(m.Environments))
	svcNames := m.ServiceNames()
	for _, name := range slices.Sorted(maps.Keys(m.Externals)) {
		if m.Services[name] != nil {
			p := fieldpath.New("externals", name)
			l.addf(m.mustPos(p), p, "%q is both a service and an external; rename one of them (dependencies name either)", name)
		}
	}
	svcs := m.trees.get("services")
	for _, name := range svcNames {
		svc := svcs.fields[name]
		base := fieldpath.New("services", name)
		for _, env := range m.Services[name].Overlays {
			if _, ok := m.Environments[env]; !ok {
				p := base.Field("env").Field(env)
				l.addf(m.mustPos(p), p, "environment %q is not defined (defined: %s)%s", env, strings.Join(envNames, ", "), diag.DidYouMean(env, envNames))
			}
		}
		// Dependencies and fallbacks may be set in the base or any overlay.
		l.checkLayerReferences(m, name, base, svc)
		if ov := svc.get("env"); ov != nil {
			for _, env := range ov.keys() {
				l.checkLayerReferences(m, name, base.Field("env").Field(env), ov.fields[env])
			}
		}
	}
	// Platform and environment defaults may name dependencies and
	// fallbacks too; those must exist as well.
	for _, env := range envNames {
		l.checkLayerReferences(m, "", fieldpath.New("environments", env, "defaults"), m.trees.get("environments", env, "defaults"))
	}
	l.checkLayerReferences(m, "", fieldpath.New("platform", "defaults"), m.trees.get("platform", "defaults"))
	// Policies name the environments a rule applies in.
	rules := m.trees.get("policies", "rules")
	for _, id := range rules.keys() {
		envs := rules.fields[id].get("environments")
		if envs == nil || !envs.user {
			continue
		}
		list, _ := envs.value.([]any)
		for i, v := range list {
			env, _ := v.(string)
			if _, ok := m.Environments[env]; ok || env == "" {
				continue
			}
			p := fieldpath.New("policies", "rules", id, "environments").Index(i)
			l.addf(m.mustPos(p), p, "environment %q is not defined (defined: %s)%s", env, strings.Join(envNames, ", "), diag.DidYouMean(env, envNames))
		}
	}
}

// node is one field of the spec's value tree: a struct with ordered
// fields, or a leaf (scalar or list). user is whether a user file set it.
type node struct {
	fields map[string]*node
	order  []string
	value  any
	leaf   bool
	pos    Pos
	user   bool
	// invalid marks a leaf whose value is in error (reported by the
	// schema check); resolution leaves it out.
	invalid bool
	// elems are the elements of a list the user set, for their positions
	// (a host, an exception, a canary step).
	elems []*node
}

func (n *node) get(sels ...string) *node {
	for _, s := range sels {
		if n == nil || n.fields == nil {
			return nil
		}
		n = n.fields[s]
	}
	return n
}

func (n *node) keys() []string {
	if n == nil {
		return nil
	}
	return append([]string(nil), n.order...)
}

// tree builds the node tree of v, recording user positions by field path.
func (l *loader) tree(v cue.Value, path fieldpath.Path, positions map[string]Pos) *node {
	n := &node{}
	n.pos, n.user = l.userPos(v)
	if n.user && len(path) > 0 {
		positions[path.String()] = n.pos
	}
	kind := v.IncompleteKind()
	var it *cue.Iterator
	var err error
	switch kind {
	case cue.StructKind:
		it, err = v.Fields()
	case cue.BottomKind:
		// A struct holding an invalid field is itself invalid, but its
		// fields are still there: reference checks and the unknown-field
		// check need them, so that one mistake does not hide the others.
		if probe, perr := v.Fields(); perr == nil && stringLabels(probe) {
			it, _ = v.Fields()
			kind = cue.StructKind
		}
	}
	if kind == cue.StructKind {
		n.fields = map[string]*node{}
		if err != nil {
			return n
		}
		for it.Next() {
			name := it.Selector().Unquoted()
			child := l.tree(it.Value(), path.Field(name), positions)
			n.fields[name] = child
			n.order = append(n.order, name)
			if child.user && !n.user {
				n.user = true
			}
		}
		return n
	}
	n.leaf = true
	if d, ok := v.Default(); ok {
		v = d
	}
	var x any
	if err := v.Decode(&x); err == nil {
		n.value = x
	} else if v.Err() != nil {
		n.invalid = true
	}
	if v.IncompleteKind() == cue.ListKind && n.user {
		// The list is one value for merging, but its elements (an
		// exception, a canary step) keep positions of their own.
		it, err := v.List()
		if err == nil {
			for i := 0; it.Next(); i++ {
				n.elems = append(n.elems, l.tree(it.Value(), path.Index(i), positions))
			}
		}
	}
	return n
}

// stringLabels reports whether every selector of it is a field name (an
// invalid list iterates with indexes).
func stringLabels(it *cue.Iterator) bool {
	for it.Next() {
		if !it.Selector().IsString() {
			return false
		}
	}
	return true
}

// userOnly returns the part of n the user set, or nil.
func (n *node) userOnly() *node {
	if n == nil || !n.user || n.invalid {
		return nil
	}
	if n.leaf {
		return n
	}
	c := &node{fields: map[string]*node{}, pos: n.pos, user: true}
	for _, k := range n.order {
		if f := n.fields[k].userOnly(); f != nil {
			c.fields[k] = f
			c.order = append(c.order, k)
		}
	}
	return c
}

// checkLayerReferences checks the dependencies and fallback one layer of
// service fields names; self is the service the layer belongs to, if any.
func (l *loader) checkLayerReferences(m *Model, self string, prefix fieldpath.Path, layer *node) {
	if layer == nil {
		return
	}
	if deps := layer.get("dependencies"); deps != nil {
		for _, dep := range deps.keys() {
			p := prefix.Field("dependencies").Field(dep)
			switch {
			case l.notAllowed[p.String()]:
				// Not a valid name, reported as such already.
			case dep == self:
				l.addf(m.mustPos(p), p, "service %q depends on itself; remove the dependency", self)
			case m.Services[dep] == nil && m.Externals[dep] == nil:
				l.addf(m.mustPos(p), p, "dependency on undefined service %q%s", dep, diag.DidYouMean(dep, append(m.ServiceNames(), slices.Sorted(maps.Keys(m.Externals))...)))
			}
		}
	}
	if fb := layer.get("resilience", "degradation", "fallbackTo"); fb != nil {
		to, _ := fb.value.(string)
		p := prefix.Append(fieldpath.Field("resilience"), fieldpath.Field("degradation"), fieldpath.Field("fallbackTo"))
		switch {
		case to == self:
			l.addf(m.mustPos(p), p, "service %q falls back to itself; name the service that serves when it degrades", self)
		case m.Services[to] == nil:
			l.addf(m.mustPos(p), p, "fallback to undefined service %q%s", to, diag.DidYouMean(to, m.ServiceNames()))
		}
	}
}

// checkTopLevel reports top-level fields the schema does not declare
// (servics:, polices:): CUE cannot close a package, and a misspelt block
// would otherwise be silently ignored. Definitions (#X), hidden fields (_x)
// and let declarations are not fields, so teams can still factor specs.
func (l *loader) checkTopLevel(m *Model) {
	var known []string
	it, err := l.schema.Fields(cue.Optional(true))
	if err != nil {
		return
	}
	for it.Next() {
		known = append(known, it.Selector().Unquoted())
	}
	for _, name := range m.trees.keys() {
		if slices.Contains(known, name) || !m.trees.fields[name].user {
			continue
		}
		p := fieldpath.New(name)
		hint := diag.DidYouMean(name, known)
		if hint == "" {
			hint = "; a spec declares " + strings.Join(known, ", ")
		}
		l.addf(m.mustPos(p), p, "unknown top-level field%s (to keep a helper value, name it #%s or _%s)", hint, name, name)
	}
}

// checkFields reports every field the user set under n that the schema
// value s does not allow, asking CUE (Value.Allows) rather than
// re-implementing closedness.
func (l *loader) checkFields(n *node, s cue.Value, path fieldpath.Path) {
	if n == nil || n.leaf || !n.user {
		return
	}
	for _, name := range n.order {
		child := n.fields[name]
		if !child.user {
			continue
		}
		p := path.Field(name)
		if len(path) > 0 && !s.Allows(cue.Str(name)) {
			if !l.notAllowed[p.String()] {
				l.addf(child.pos, p, "%s", l.explainMsg(p.Names(), "field not allowed"))
				l.notAllowed[p.String()] = true
			}
			continue
		}
		if cs, ok := schemaChild(s, name); ok {
			l.checkFields(child, cs, p)
		}
	}
}

// schemaChild returns the schema for the field name of s: a declared
// field, optional or not, or the pattern constraint that applies.
func schemaChild(s cue.Value, name string) (cue.Value, bool) {
	for _, p := range []cue.Path{cue.MakePath(cue.Str(name)), cue.MakePath(cue.Str(name).Optional()), cue.MakePath(cue.AnyString)} {
		if v := s.LookupPath(p); v.Exists() {
			return v, true
		}
	}
	return cue.Value{}, false
}

// unreported returns the diagnostics of ds about fields no diagnostic of
// seen is about (the same field, one above it or one below it).
func unreported(ds, seen []*diag.Diagnostic) []*diag.Diagnostic {
	var out []*diag.Diagnostic
next:
	for _, d := range ds {
		for _, s := range seen {
			// The same field at the same place: an overlay's mistake the
			// loader reported under env.<name> and resolution under the
			// merged path.
			if d.Path.HasPrefix(s.Path) || s.Path.HasPrefix(d.Path) || d.Pos == s.Pos && d.Path.Last() == s.Path.Last() {
				continue next
			}
		}
		out = append(out, d)
	}
	return out
}

// explainedBelow reports whether e is a list-length conflict at a list
// whose elements have errors of their own: the user's list against a
// default of another length, noise next to the real reason.
func explainedBelow(e cueerrors.Error, all []cueerrors.Error) bool {
	format, _ := e.Msg()
	if !strings.HasPrefix(format, "incompatible list lengths") {
		return false
	}
	path := e.Path()
	for _, o := range all {
		if op := o.Path(); len(op) > len(path) && slices.Equal(op[:len(path)], path) {
			return true
		}
	}
	return false
}
