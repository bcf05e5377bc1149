package schema

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/govctl/govctl/internal/atomicfile"
	"golang.org/x/sync/errgroup"
)

// CacheOptions say where LoadCached keeps loaded models and what, besides
// the spec files, their validity depends on.
type CacheOptions struct {
	// Dir is the cache directory, e.g. os.UserCacheDir()/govctl; the cache
	// is off when empty.
	Dir string
	// Version identifies the govctl build: a model cached by another
	// build is never read.
	Version string
}

// cacheFormat changes whenever the snapshot's shape or meaning does.
const cacheFormat = "govctl-model-cache/4"

// LoadCached is Load with a content-addressed cache: a spec directory whose
// files (spec files, cue.mod included) are byte for byte those of an
// earlier successful load, by the same govctl build, is read back from
// opts.Dir instead of being evaluated again. The model is the one Load
// returns, positions and provenance included. The cache is only ever an
// optimisation: an unreadable, corrupt or stale entry is ignored and
// replaced, a cache that cannot be written is skipped, and deleting the
// directory is always safe. Spec errors are never cached.
func LoadCached(ctx context.Context, dir string, opts CacheOptions) (*Model, error) {
	if opts.Dir == "" {
		return Load(ctx, dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Load(ctx, dir)
	}
	key, err := cacheKey(abs, opts.Version)
	if err != nil {
		// Let Load report what is wrong with the directory.
		return Load(ctx, dir)
	}
	entry := filepath.Join(opts.Dir, "models", key.name())
	if m := readCache(entry, dir); m != nil {
		return m, nil
	}
	// The model is stale, but most services' layers are likely what they
	// were: the resolution memo spares checking those again.
	memoFile := memoPath(opts.Dir, abs)
	used := map[memoKey][]byte{}
	m, err := loadMemo(ctx, dir, readMemo(memoFile, opts.Version), used)
	if err != nil {
		return nil, err
	}
	writeCache(entry, key, m)
	writeMemo(memoFile, opts.Version, used)
	return m, nil
}

// modelKey names a cache entry: which spec directory (so that one entry
// per directory is kept) and the hash of everything the model depends on.
type modelKey struct {
	dir, content string
}

func (k modelKey) name() string { return k.dir + "-" + k.content + ".model" }

// cacheKey hashes the govctl build, the embedded schema, and the path and
// content of every file Load reads: the spec's .cue files and whatever
// lies under cue.mod (imported packages).
func cacheKey(abs, version string) (modelKey, error) {
	files, err := specFiles(abs)
	if err != nil {
		return modelKey{}, err
	}
	mod := filepath.Join(abs, "cue.mod")
	if st, err := os.Stat(mod); err == nil && st.IsDir() {
		err := filepath.WalkDir(mod, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			rel, err := filepath.Rel(abs, p)
			files = append(files, filepath.ToSlash(rel))
			return err
		})
		if err != nil {
			return modelKey{}, err
		}
	}
	sort.Strings(files)
	h := sha256.New()
	field := func(b []byte) { hashField(h, b) }
	field([]byte(cacheFormat))
	field([]byte(version))
	field([]byte(schemaSource))
	field([]byte(abs))
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(abs, filepath.FromSlash(f)))
		if err != nil {
			return modelKey{}, err
		}
		field([]byte(f))
		field(src)
	}
	d := sha256.Sum256([]byte(abs))
	return modelKey{dir: hex.EncodeToString(d[:8]), content: hex.EncodeToString(h.Sum(nil))}, nil
}

// hashField writes b to h after its length, so that the fields of a key
// cannot run into each other.
func hashField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// snapshot is what a cache entry holds: the model's exported fields, its
// positions, and every environment resolved. The CUE values are not kept;
// a model read from the cache evaluates the spec again only if a caller
// needs them (Explain). Positions are packed against a table of file names,
// and the bulky parts (positions, each environment) follow the snapshot in
// sections of their own, decoded concurrently: reading the cache is what
// every warm command waits for. An entry is a sequence of frames, each an
// 8-byte little-endian length and that many bytes of JSON: the snapshot,
// then one frame per name in Sections.
type snapshot struct {
	Format       string
	Package      string
	Files        []string
	Platform     Platform
	Environments map[string]*Environment
	// EnvironmentPos holds Environment.Pos, which JSON leaves out.
	EnvironmentPos map[string]Pos
	Services       map[string]*ServiceSpec
	Policies       *Policies
	// PosFiles are the file names packed positions index.
	PosFiles []string
	// Sections names the frames after the snapshot: "positions", then
	// each environment.
	Sections []string
	// Positions is map[string]packedPos.
	Positions json.RawMessage `json:"-"`
	// Resolved holds, per environment, a map[string]*cachedService.
	Resolved map[string]json.RawMessage `json:"-"`
}

// frames splits an entry into its frames; nil when it is truncated.
func frames(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 8 {
			return nil
		}
		n := binary.LittleEndian.Uint64(data)
		data = data[8:]
		if n > uint64(len(data)) {
			return nil
		}
		out = append(out, data[:n])
		data = data[n:]
	}
	return out
}

func appendFrame(dst, b []byte) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, uint64(len(b)))
	return append(dst, b...)
}

// cachedService is a resolved service with its provenance.
type cachedService struct {
	Service    *Service
	Source     string
	Pos        Pos
	Provenance map[string]packedOrigin
}

// packedPos is a Pos as {file index, line, column}.
type packedPos [3]int32

// packedOrigin is an Origin as {layer, file index, line, column}.
type packedOrigin [4]int32

// posTable numbers file names for packing.
type posTable struct {
	index map[string]int32
	files []string
}

func (t *posTable) pack(p Pos) packedPos {
	i, ok := t.index[p.File]
	if !ok {
		i = int32(len(t.files))
		t.index[p.File] = i
		t.files = append(t.files, p.File)
	}
	return packedPos{i, int32(p.Line), int32(p.Column)}
}

// unpack returns the position, ok false for a file index out of range.
func unpack(files []string, p packedPos) (Pos, bool) {
	if p[0] < 0 || int(p[0]) >= len(files) {
		return Pos{}, false
	}
	return Pos{File: files[p[0]], Line: int(p[1]), Column: int(p[2])}, true
}

func readCache(entry, dir string) *Model {
	data, err := os.ReadFile(entry)
	if err != nil {
		return nil
	}
	// JSON keeps what the model distinguishes (an empty list from a
	// missing one); numbers in free-form data (config data, rule params)
	// come back as CUE decodes them: int64 when integral, else float64.
	fs := frames(data)
	if len(fs) == 0 {
		return nil
	}
	var s snapshot
	if err := decodeJSON(fs[0], &s); err != nil || s.Format != cacheFormat || len(s.Sections) != len(fs)-1 {
		return nil
	}
	s.Resolved = map[string]json.RawMessage{}
	for i, name := range s.Sections {
		if name == "positions" {
			s.Positions = fs[i+1]
		} else {
			s.Resolved[name] = fs[i+1]
		}
	}
	m := &Model{
		Dir:          dir,
		Package:      s.Package,
		Files:        s.Files,
		Platform:     s.Platform,
		Environments: s.Environments,
		Services:     s.Services,
		Policies:     s.Policies,
		resolved:     map[string]*Resolved{},
	}
	if m.Environments == nil || m.Services == nil || len(s.Resolved) != len(m.Environments) {
		return nil
	}
	for name, e := range m.Environments {
		if e == nil {
			return nil
		}
		e.Pos = s.EnvironmentPos[name]
	}
	if m.Policies != nil {
		for _, r := range m.Policies.Rules {
			if r != nil {
				r.Params = numbers(r.Params)
			}
		}
	}
	envs := slices.Sorted(maps.Keys(s.Resolved))
	resolved := make([]*Resolved, len(envs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	g.Go(func() error {
		var packed map[string]packedPos
		if err := decodeJSON(s.Positions, &packed); err != nil || packed == nil {
			return errCorrupt
		}
		m.positions = make(map[string]Pos, len(packed))
		for path, p := range packed {
			pos, ok := unpack(s.PosFiles, p)
			if !ok {
				return errCorrupt
			}
			m.positions[path] = pos
		}
		return nil
	})
	for i, env := range envs {
		g.Go(func() error {
			e := m.Environments[env]
			if e == nil {
				return errCorrupt
			}
			var svcs map[string]*cachedService
			if err := decodeJSON(s.Resolved[env], &svcs); err != nil {
				return errCorrupt
			}
			r := &Resolved{Platform: &m.Platform, Environment: e, Services: make(map[string]*Service, len(svcs)), model: m}
			for name, c := range svcs {
				if c == nil || c.Service == nil {
					return errCorrupt
				}
				svc := c.Service
				svc.Source, svc.Pos = c.Source, c.Pos
				svc.prov = make(map[string]Origin, len(c.Provenance))
				for path, o := range c.Provenance {
					pos, ok := unpack(s.PosFiles, packedPos{o[1], o[2], o[3]})
					if !ok {
						return errCorrupt
					}
					svc.prov[path] = Origin{Layer: Layer(o[0]), Pos: pos}
				}
				svc.Config.Data = numbers(svc.Config.Data)
				r.Services[name] = svc
			}
			resolved[i] = r
			return nil
		})
	}
	if g.Wait() != nil {
		return nil
	}
	for i, env := range envs {
		m.resolved[env] = resolved[i]
	}
	return m
}

// errCorrupt marks a cache entry that does not decode; it is ignored.
var errCorrupt = errors.New("corrupt cache entry")

// decodeJSON decodes data into v with numbers kept as json.Number.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// numbers replaces the json.Numbers in free-form data with the int64 or
// float64 CUE's decoder gives.
func numbers(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	for k, v := range m {
		m[k] = number(v)
	}
	return m
}

func number(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		return numbers(x)
	case []any:
		for i := range x {
			x[i] = number(x[i])
		}
	}
	return v
}

// writeCache stores m under entry and removes the directory's older
// entries. Failing to write is not an error: the next run loads again.
func writeCache(entry string, key modelKey, m *Model) {
	s := snapshot{
		Format:         cacheFormat,
		Package:        m.Package,
		Files:          m.Files,
		Platform:       m.Platform,
		Environments:   m.Environments,
		EnvironmentPos: map[string]Pos{},
		Services:       m.Services,
		Policies:       m.Policies,
		Resolved:       map[string]json.RawMessage{},
	}
	for name, e := range m.Environments {
		s.EnvironmentPos[name] = e.Pos
	}
	t := &posTable{index: map[string]int32{}}
	positions := make(map[string]packedPos, len(m.positions))
	for path, p := range m.positions {
		positions[path] = t.pack(p)
	}
	// Positions are packed first, on this goroutine (the table is not
	// safe for concurrent use); the sections are then marshalled
	// concurrently, which is most of writing an entry.
	envs := slices.Sorted(maps.Keys(m.resolved))
	packed := make([]map[string]*cachedService, len(envs))
	for i, env := range envs {
		svcs := map[string]*cachedService{}
		for name, svc := range m.resolved[env].Services {
			prov := make(map[string]packedOrigin, len(svc.prov))
			for path, o := range svc.prov {
				p := t.pack(o.Pos)
				prov[path] = packedOrigin{int32(o.Layer), p[0], p[1], p[2]}
			}
			svcs[name] = &cachedService{Service: svc, Source: svc.Source, Pos: svc.Pos, Provenance: prov}
		}
		packed[i] = svcs
	}
	sections := make([][]byte, len(envs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	g.Go(func() (err error) {
		s.Positions, err = json.Marshal(positions)
		return err
	})
	for i := range envs {
		g.Go(func() (err error) {
			sections[i], err = json.Marshal(packed[i])
			return err
		})
	}
	if g.Wait() != nil {
		return
	}
	for i, env := range envs {
		s.Resolved[env] = sections[i]
	}
	s.PosFiles = t.files
	s.Sections = append([]string{"positions"}, slices.Sorted(maps.Keys(s.Resolved))...)
	header, err := json.Marshal(&s)
	if err != nil {
		return
	}
	data := appendFrame(nil, header)
	data = appendFrame(data, s.Positions)
	for _, env := range s.Sections[1:] {
		data = appendFrame(data, s.Resolved[env])
	}
	if err := os.MkdirAll(filepath.Dir(entry), 0o755); err != nil {
		return
	}
	if err := atomicfile.Write(entry, data, 0o644); err != nil {
		return
	}
	// Entries of earlier builds may end in .json.
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(entry), key.dir+"-*"))
	for _, o := range old {
		if o != entry && (strings.HasSuffix(o, ".model") || strings.HasSuffix(o, ".json")) {
			os.Remove(o)
		}
	}
}

// fromCache reports whether m was read from the cache and so holds no CUE
// values yet.
func (m *Model) fromCache() bool { return m.trees == nil }

// evaluated returns a model of the same spec with its CUE values, loading
// the spec again when m came from the cache.
func (m *Model) evaluated() (*Model, error) {
	if !m.fromCache() {
		return m, nil
	}
	full, err := Load(context.Background(), m.Dir)
	if err != nil {
		return nil, fmt.Errorf("explain: load %s: %w", m.Dir, err)
	}
	return full, nil
}
