package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"golang.org/x/sync/errgroup"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/internal/fieldpath"
)

// Layer is where a resolved value came from, lowest precedence first.
type Layer int

// The layers of resolution, lowest precedence first: schema defaults <
// platform.defaults < environments.<env>.defaults < services.<name> <
// services.<name>.env.<env> (the README's "Precedence").
const (
	LayerSchema Layer = iota
	LayerPlatform
	LayerEnvironment
	LayerService
	LayerOverlay
)

// String names the layer as explain prints it.
func (l Layer) String() string {
	switch l {
	case LayerPlatform:
		return "platform.defaults"
	case LayerEnvironment:
		return "environment.defaults"
	case LayerService:
		return "service"
	case LayerOverlay:
		return "service.env"
	default:
		return "schema default"
	}
}

// Origin is where a resolved field's value was set.
type Origin struct {
	Layer Layer
	// Pos is the user's file:line for every layer but LayerSchema.
	Pos Pos
}

// Resolved is the platform as one environment sees it: every service with
// its layers applied and checked against #Service.
type Resolved struct {
	Platform    *Platform
	Environment *Environment
	Services    map[string]*Service
	model       *Model
}

// Model returns the model r was resolved from.
func (r *Resolved) Model() *Model { return r.model }

// ServiceNames returns the service names, sorted.
func (r *Resolved) ServiceNames() []string { return slices.Sorted(maps.Keys(r.Services)) }

// Origin returns where the field at path (relative to the service, e.g.
// resilience.rateLimit.rps) got its value; fields no layer set are schema
// defaults.
func (s *Service) Origin(path fieldpath.Path) Origin {
	if o, ok := s.prov[path.String()]; ok {
		return o
	}
	return Origin{Layer: LayerSchema}
}

// PosOf returns the user position that set the field at path or the nearest
// enclosing field; the service's own declaration when no layer set any.
func (s *Service) PosOf(path fieldpath.Path) Pos {
	for p := path; len(p) > 0; p = p.Parent() {
		if o, ok := s.prov[p.String()]; ok && o.Layer != LayerSchema {
			return o.Pos
		}
	}
	return s.Pos
}

// Resolve returns the platform resolved for env. Load has resolved and
// checked every environment already, so this fails only for an unknown name.
func (m *Model) Resolve(env string) (*Resolved, error) {
	if r, ok := m.resolved[env]; ok {
		return r, nil
	}
	if _, ok := m.Environments[env]; !ok {
		names := slices.Sorted(maps.Keys(m.Environments))
		return nil, fmt.Errorf("unknown environment %q (defined: %s)%s", env, strings.Join(names, ", "), diag.DidYouMean(env, names))
	}
	r, errs := m.resolve(env)
	if len(errs) > 0 {
		l := &diag.List{Dir: m.Dir, Diags: errs}
		return nil, l.Err()
	}
	return r, nil
}

// resolve resolves every service for env and returns the spec errors found.
func (m *Model) resolve(env string) (*Resolved, []*diag.Diagnostic) {
	rs, errs := m.resolveEnvs([]string{env}, nil, nil)
	return rs[0], errs[0]
}

// resolveEnvs resolves every service in each of envs and returns, per
// environment, the result and the spec errors found, in service order.
// Services are checked concurrently, one CUE context per worker: a
// context is not safe for concurrent use, and each service's check is
// independent of the others. A service whose merged layers memo has seen
// is decoded from it instead of being checked again; used collects, when
// not nil, every memo entry this resolution used or made.
func (m *Model) resolveEnvs(envs []string, memo *resolutionMemo, used map[memoKey][]byte) ([]*Resolved, [][]*diag.Diagnostic) {
	var hits atomic.Int64
	names := m.ServiceNames()
	type result struct {
		svc  *Service
		errs []*diag.Diagnostic
		key  memoKey
		js   []byte
	}
	results := make([][]result, len(envs))
	for i := range envs {
		results[i] = make([]result, len(names))
	}
	shared := make([]sharedLayers, len(envs))
	for i, env := range envs {
		shared[i] = m.shared(env)
	}
	jobs := len(envs) * len(names)
	workers := min(runtime.GOMAXPROCS(0), max(jobs/64, 1))
	// Compiling the schema costs a few milliseconds, so checkers are reused:
	// at most workers jobs run at once, each holding at most one checker,
	// so putting one back never blocks. A job that finds its service in the
	// memo never needs one.
	checkers := make(chan *checker, workers)
	var g errgroup.Group
	g.SetLimit(workers)
	for j := range jobs {
		g.Go(func() error {
			e, n := j/len(names), j%len(names)
			name, env := names[n], envs[e]
			tree, prov := m.merge(name, env, shared[e])
			key, keyed := treeKey(tree)
			if js, ok := memo.lookup(key); keyed && ok {
				// An entry that no longer decodes is checked again.
				if svc, err := m.decodeResolved(name, js, prov); err == nil {
					results[e][n] = result{svc: svc, key: key, js: js}
					hits.Add(1)
					return nil
				}
			}
			var c *checker
			select {
			case c = <-checkers:
			default:
				c = newChecker()
			}
			svc, _, js, errs := m.check(c, name, env, tree, prov)
			checkers <- c
			results[e][n] = result{svc: svc, errs: errs}
			if keyed && len(errs) == 0 {
				results[e][n].key, results[e][n].js = key, js
			}
			return nil
		})
	}
	g.Wait()
	m.memoHits += int(hits.Load())
	rs := make([]*Resolved, len(envs))
	errs := make([][]*diag.Diagnostic, len(envs))
	for e, env := range envs {
		rs[e] = &Resolved{Platform: &m.Platform, Environment: m.Environments[env], Services: make(map[string]*Service, len(names)), model: m}
		for n, name := range names {
			res := results[e][n]
			if len(res.errs) > 0 {
				errs[e] = append(errs[e], res.errs...)
				continue
			}
			rs[e].Services[name] = res.svc
			if used != nil && res.js != nil {
				used[res.key] = res.js
			}
		}
	}
	return rs, errs
}

// checker holds #Service in a CUE context of its own, for one goroutine.
type checker struct {
	ctx     *cue.Context
	service cue.Value
}

// newChecker compiles the embedded schema into a new context. Resolution
// checks against govctl's own #Service: the spec's package cannot loosen
// what a deployable service must have.
func newChecker() *checker {
	ctx := cuecontext.New()
	return &checker{ctx: ctx, service: ctx.CompileString(schemaSource, cue.Filename(schemaFileName)).LookupPath(cue.ParsePath("#Service"))}
}

// layer is one layer's user-set values of a service in an environment.
type layer struct {
	layer Layer
	tree  *node
}

// sharedLayers are the layers every service of an environment shares.
type sharedLayers struct {
	platform, environment *node
}

// shared returns the platform and environment defaults that apply in env.
func (m *Model) shared(env string) sharedLayers {
	return sharedLayers{
		platform:    m.trees.get("platform", "defaults").userOnly(),
		environment: m.trees.get("environments", env, "defaults").userOnly(),
	}
}

// layers returns the user-set values that apply to a service in an
// environment, lowest precedence first.
func (m *Model) layers(service, env string, shared sharedLayers) []layer {
	svc := m.trees.get("services", service).userOnly()
	var base *node
	if svc != nil {
		base = &node{fields: map[string]*node{}, pos: svc.pos, user: true}
		for _, k := range svc.order {
			if k == "env" {
				continue
			}
			base.fields[k] = svc.fields[k]
			base.order = append(base.order, k)
		}
	}
	var overlay *node
	if svc != nil {
		overlay = svc.get("env", env)
	}
	return []layer{
		{LayerPlatform, shared.platform},
		{LayerEnvironment, shared.environment},
		{LayerService, base},
		{LayerOverlay, overlay},
	}
}

// resolveService merges the layers of one service in one environment, in
// precedence order (later layers replace scalars and lists, structs merge),
// and unifies the result with #Service, which fills in the schema defaults
// and checks what a deployable service must have.
func (m *Model) resolveService(c *checker, name, env string) (*Service, cue.Value, []*diag.Diagnostic) {
	tree, prov := m.merge(name, env, m.shared(env))
	svc, v, _, errs := m.check(c, name, env, tree, prov)
	return svc, v, errs
}

// merge merges the layers of a service in an environment and records, per
// path, the layer and position that set it.
func (m *Model) merge(name, env string, shared sharedLayers) (map[string]any, map[string]Origin) {
	tree := map[string]any{}
	prov := map[string]Origin{}
	for _, l := range m.layers(name, env, shared) {
		mergeNode(tree, l.tree, nil, l.layer, prov)
	}
	return tree, prov
}

// check unifies a merged tree with #Service and returns the resolved
// service, its CUE value and its JSON form, or the spec errors found.
func (m *Model) check(c *checker, name, env string, tree map[string]any, prov map[string]Origin) (*Service, cue.Value, []byte, []*diag.Diagnostic) {
	spec := m.Services[name]
	v := c.service.Unify(c.ctx.Encode(tree))
	if err := v.Validate(cue.Concrete(true), cue.All()); err != nil {
		var errs []*diag.Diagnostic
		all := cueerrors.Errors(err)
		best := map[string]int{}
		for _, e := range all {
			k := strings.Join(e.Path(), ".")
			best[k] = max(best[k], messageRank(e))
		}
		for _, e := range all {
			if messageRank(e) < best[strings.Join(e.Path(), ".")] || explainedBelow(e, all) {
				continue
			}
			rel := fromCUE(e.Path())
			if len(rel) > 0 && rel[0].Name == "#Service" {
				rel = rel[1:]
			}
			format, args := e.Msg()
			msg := fmt.Sprintf(format, args...)
			if u := userMessage(e, schemaAt(c.service, rel)); u != "" {
				msg = u
			}
			if msg == "field is required but not present" || strings.HasPrefix(msg, "incomplete value") {
				if words, ok := requiredWhenWords(rel); ok {
					msg = "required field is missing: " + words
				} else if len(rel) > 1 {
					// A field of a struct (a dependency's retries): at
					// the struct that lacks it.
					msg = "required field is missing: set it here, in platform.defaults or in an environment's defaults" + missingWords(schemaAt(c.service, rel))
				} else {
					msg = "required field is missing: set it on the service, in platform.defaults or in an environment's defaults"
				}
			}
			pos, found := spec.Pos, false
			if cause, ok := missingCause(rel); ok {
				if o, ok := prov[cause.String()]; ok && o.Layer != LayerSchema {
					pos, found = o.Pos, true
				}
			}
			for p := rel; len(p) > 0 && !found; p = p.Parent() {
				if o, ok := prov[p.String()]; ok {
					pos = o.Pos
					break
				}
			}
			errs = append(errs, &diag.Diagnostic{Pos: pos, Path: fieldpath.New("services", name).Append(rel...), Message: msg, Environments: []string{env}})
		}
		return nil, v, nil, errs
	}
	// Through JSON: a third faster than Value.Decode on 1000 services, and
	// the value is concrete and checked already. The same bytes are what
	// the resolution memo keeps.
	js, err := v.MarshalJSON()
	var svc *Service
	if err == nil {
		svc, err = m.decodeResolved(name, js, prov)
	}
	if err != nil {
		d := decodeDiagnostic(err, spec, prov)
		d.Environments = []string{env}
		return nil, v, nil, []*diag.Diagnostic{d}
	}
	return svc, v, js, nil
}

// decodeResolved builds the resolved service from its JSON form. Numbers
// in config data come back as Value.Decode gives them (see numbers).
func (m *Model) decodeResolved(name string, js []byte, prov map[string]Origin) (*Service, error) {
	spec := m.Services[name]
	svc := &Service{}
	if err := decodeJSON(js, svc); err != nil {
		return nil, err
	}
	svc.Name = name
	svc.Source = spec.Pos.File
	svc.Pos = spec.Pos
	svc.prov = prov
	if svc.Dependencies == nil {
		svc.Dependencies = map[string]Dependency{}
	}
	if svc.Exceptions == nil {
		svc.Exceptions = []Exception{}
	}
	svc.Config.Data = numbers(svc.Config.Data)
	if svc.Config.Data == nil {
		svc.Config.Data = map[string]any{}
	}
	for i := range svc.Exceptions {
		if svc.Exceptions[i].Environments == nil {
			svc.Exceptions[i].Environments = []string{}
		}
	}
	return svc, nil
}

// mergeNode merges a layer into dst: structs merge field by field, scalars
// and lists replace what lower layers set. prov records, for every path the
// layer touches, the layer and position.
func mergeNode(dst map[string]any, n *node, prefix fieldpath.Path, layer Layer, prov map[string]Origin) {
	if n == nil {
		return
	}
	for _, k := range n.order {
		child := n.fields[k]
		fp := prefix.Field(k)
		path := fp.String()
		prov[path] = Origin{Layer: layer, Pos: child.pos}
		prev, had := dst[k]
		if child.leaf {
			if had {
				dropUnder(prov, path)
			}
			dst[k] = child.value
			elemOrigins(prov, fp, child, layer)
			continue
		}
		sub, ok := prev.(map[string]any)
		if !ok {
			if had {
				dropUnder(prov, path)
			}
			sub = map[string]any{}
			dst[k] = sub
		}
		mergeNode(sub, child, fp, layer, prov)
	}
}

// elemOrigins records the positions of the elements of a list n sets at
// path (hosts[1]) and of what they hold (exceptions[0].rule), so an error
// about one element points at it rather than at the list.
func elemOrigins(prov map[string]Origin, path fieldpath.Path, n *node, layer Layer) {
	for i, e := range n.elems {
		ep := path.Index(i)
		if e.user {
			prov[ep.String()] = Origin{Layer: layer, Pos: e.pos}
		}
		for _, k := range e.order {
			f := e.fields[k]
			fp := ep.Field(k)
			if f.user {
				prov[fp.String()] = Origin{Layer: layer, Pos: f.pos}
			}
			elemOrigins(prov, fp, f, layer)
		}
		elemOrigins(prov, ep, e, layer)
	}
}

// dropUnder forgets the provenance of everything below path: a lower
// layer's list elements or fields that a higher layer replaced.
func dropUnder(prov map[string]Origin, path string) {
	for p := range prov {
		if strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			delete(prov, p)
		}
	}
}

// ExplainLine is one resolved field: its value and where it was set.
type ExplainLine struct {
	Path   fieldpath.Path
	Value  string
	Origin Origin
}

// Explain lists every resolved field of a service in an environment with
// the layer and file:line that set it, sorted by path.
func (m *Model) Explain(service, env string) ([]ExplainLine, error) {
	if _, ok := m.Environments[env]; !ok {
		_, err := m.Resolve(env)
		return nil, err
	}
	if _, ok := m.Services[service]; !ok {
		names := m.ServiceNames()
		return nil, fmt.Errorf("unknown service %q%s", service, diag.DidYouMean(service, names))
	}
	// A model read from the cache holds no CUE values; explain needs them.
	full, err := m.evaluated()
	if err != nil {
		return nil, err
	}
	svc, v, errs := full.resolveService(newChecker(), service, env)
	if len(errs) > 0 {
		l := &diag.List{Dir: m.Dir, Diags: errs}
		return nil, l.Err()
	}
	var lines []ExplainLine
	var walk func(v cue.Value, path fieldpath.Path)
	walk = func(v cue.Value, path fieldpath.Path) {
		if d, ok := v.Default(); ok {
			v = d
		}
		if v.Kind() == cue.StructKind {
			it, err := v.Fields()
			if err != nil {
				return
			}
			n := 0
			for it.Next() {
				n++
				walk(it.Value(), path.Field(it.Selector().Unquoted()))
			}
			if n > 0 || len(path) == 0 {
				return
			}
		}
		b, err := v.MarshalJSON()
		if err != nil {
			return
		}
		lines = append(lines, ExplainLine{Path: path, Value: string(b), Origin: svc.Origin(path)})
	}
	walk(v, nil)
	sort.Slice(lines, func(i, j int) bool { return lines[i].Path.String() < lines[j].Path.String() })
	return lines, nil
}

// decodeDiagnostic explains why a checked service did not decode into the
// Go model, at the field's own position: the schema admits any integer, the
// model holds 64 bits.
func decodeDiagnostic(err error, spec *ServiceSpec, prov map[string]Origin) *diag.Diagnostic {
	base := fieldpath.New("services", spec.Name)
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field == "" {
		return &diag.Diagnostic{Pos: spec.Pos, Path: base, Message: fmt.Sprintf("cannot be read: %v (please report this input)", err)}
	}
	rel, perr := fieldpath.Parse(te.Field)
	if perr != nil {
		rel = fieldpath.New(te.Field)
	}
	pos := spec.Pos
	for p := rel; len(p) > 0; p = p.Parent() {
		if o, ok := prov[p.String()]; ok {
			pos = o.Pos
			break
		}
	}
	value := strings.TrimPrefix(te.Value, "number ")
	var msg string
	switch te.Type.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := te.Type.Bits()
		switch {
		case strings.ContainsAny(value, ".eE"):
			msg = fmt.Sprintf("%s is not a whole number; write an integer", value)
		case strings.HasPrefix(value, "-"):
			msg = fmt.Sprintf("%s is too small; the minimum is %d", value, int64(-1)<<(bits-1))
		default:
			msg = fmt.Sprintf("%s is too large; the maximum is %d", value, int64(1)<<(bits-1)-1)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if strings.HasPrefix(value, "-") {
			msg = fmt.Sprintf("%s is negative; write 0 or more", value)
		} else {
			msg = fmt.Sprintf("%s is too large; the maximum is %d", value, uint64(1)<<(te.Type.Bits()-1)*2-1)
		}
	case reflect.Float32, reflect.Float64:
		msg = fmt.Sprintf("%s is out of range for a number", value)
	default:
		msg = fmt.Sprintf("%s is not a value this field takes", value)
	}
	return &diag.Diagnostic{Pos: pos, Path: base.Append(rel...), Message: msg}
}
