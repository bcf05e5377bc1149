package schema

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/govctl/govctl/internal/atomicfile"
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
const cacheFormat = "govctl-model-cache/1"

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
	m, err := Load(ctx, dir)
	if err != nil {
		return nil, err
	}
	writeCache(entry, key, m)
	return m, nil
}

// modelKey names a cache entry: which spec directory (so that one entry
// per directory is kept) and the hash of everything the model depends on.
type modelKey struct {
	dir, content string
}

func (k modelKey) name() string { return k.dir + "-" + k.content + ".json" }

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
	field := func(b []byte) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
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

// snapshot is what a cache entry holds: the model's exported fields, its
// positions, and every environment resolved. The CUE values are not kept;
// a model read from the cache evaluates the spec again only if a caller
// needs them (Explain).
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
	Positions      map[string]Pos
	Resolved       map[string]map[string]*cachedService
}

// cachedService is a resolved service with its provenance.
type cachedService struct {
	Service    *Service
	Source     string
	Pos        Pos
	Provenance map[string]Origin
}

func readCache(entry, dir string) *Model {
	data, err := os.ReadFile(entry)
	if err != nil {
		return nil
	}
	// JSON keeps what the model distinguishes (an empty list from a
	// missing one); numbers in free-form data (config data, rule params)
	// come back as CUE decodes them: int64 when integral, else float64.
	var s snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&s); err != nil || s.Format != cacheFormat {
		return nil
	}
	m := &Model{
		Dir:          dir,
		Package:      s.Package,
		Files:        s.Files,
		Platform:     s.Platform,
		Environments: s.Environments,
		Services:     s.Services,
		Policies:     s.Policies,
		positions:    s.Positions,
		resolved:     map[string]*Resolved{},
	}
	if m.Environments == nil || m.Services == nil || m.positions == nil {
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
	for env, svcs := range s.Resolved {
		e := m.Environments[env]
		if e == nil {
			return nil
		}
		r := &Resolved{Platform: &m.Platform, Environment: e, Services: map[string]*Service{}, model: m}
		for name, c := range svcs {
			if c == nil || c.Service == nil {
				return nil
			}
			svc := c.Service
			svc.Source, svc.Pos, svc.prov = c.Source, c.Pos, c.Provenance
			svc.Config.Data = numbers(svc.Config.Data)
			if svc.prov == nil {
				svc.prov = map[string]Origin{}
			}
			r.Services[name] = svc
		}
		m.resolved[env] = r
	}
	if len(m.resolved) != len(m.Environments) {
		return nil
	}
	return m
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
		Positions:      m.positions,
		Resolved:       map[string]map[string]*cachedService{},
	}
	for name, e := range m.Environments {
		s.EnvironmentPos[name] = e.Pos
	}
	for env, r := range m.resolved {
		svcs := map[string]*cachedService{}
		for name, svc := range r.Services {
			svcs[name] = &cachedService{Service: svc, Source: svc.Source, Pos: svc.Pos, Provenance: svc.prov}
		}
		s.Resolved[env] = svcs
	}
	data, err := json.Marshal(&s)
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(entry), 0o755); err != nil {
		return
	}
	if err := atomicfile.Write(entry, data, 0o644); err != nil {
		return
	}
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(entry), key.dir+"-*.json"))
	for _, o := range old {
		if o != entry && strings.HasSuffix(o, ".json") {
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
