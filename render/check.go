package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ChangeKind says what a write would do to one file.
type ChangeKind string

// The kinds of change a write makes to a file.
const (
	// ChangeCreate: the file does not exist yet.
	ChangeCreate ChangeKind = "create"
	// ChangeUpdate: the file exists with other bytes.
	ChangeUpdate ChangeKind = "update"
	// ChangePrune: govctl wrote the file earlier, and the scope being
	// written no longer produces it.
	ChangePrune ChangeKind = "prune"
)

// FileChange is one file a write would create, update or prune, with the
// bytes on either side so that a caller can show a unified diff.
type FileChange struct {
	// Path is slash-separated and relative to the output directory.
	Path string
	// Kind is what the write does to the file.
	Kind ChangeKind
	// Target and Env are the scope that owns (or owned) the file.
	Target Target
	Env    string
	// Old is the file's current content; nil for ChangeCreate.
	Old []byte
	// New is the content a write produces; nil for ChangePrune.
	New []byte
}

// CheckResult is what Write would do, computed without writing.
type CheckResult struct {
	// Changes are the files a write would create, update or prune, sorted
	// by Path.
	Changes []FileChange
	// Unchanged are the produced files whose bytes already match, sorted.
	Unchanged []string
	// ManifestChanged reports that the ownership manifest would be written
	// (it is missing, or lists other files or digests).
	ManifestChanged bool
}

// Stale reports whether the output directory differs from what a write would
// leave behind, manifest included.
func (r CheckResult) Stale() bool {
	return len(r.Changes) > 0 || r.ManifestChanged
}

// Paths returns the sorted paths of the changes of one kind.
func (r CheckResult) Paths(kind ChangeKind) []string {
	var out []string
	for _, c := range r.Changes {
		if c.Kind == kind {
			out = append(out, c.Path)
		}
	}
	return out
}

// Check computes what Write(ctx, outDir, objs, opts) would do, reading the
// output directory but changing nothing. It fails where Write would fail
// before touching the disk: unsafe paths, an unowned file in the way, a
// corrupt manifest.
func Check(ctx context.Context, outDir string, objs []Object, opts WriteOptions) (CheckResult, error) {
	p, err := planWrite(ctx, outDir, objs, opts)
	if err != nil {
		return CheckResult{}, err
	}
	res := CheckResult{Unchanged: p.unchanged, ManifestChanged: p.manifestChanged}
	for _, a := range p.actions {
		res.Changes = append(res.Changes, a.FileChange)
	}
	return res, nil
}

// UnsafePathError reports an output path that could write outside the
// output directory.
type UnsafePathError struct {
	// Path is the offending path as given.
	Path string
	// Reason says why it is rejected.
	Reason string
}

// Error names the path and the reason it is rejected.
func (e *UnsafePathError) Error() string {
	return fmt.Sprintf("unsafe output path %q: %s", e.Path, e.Reason)
}

// UnownedFileError reports files in the way of a write that govctl did not
// write (they are not in the manifest) and whose content differs. They are
// left alone unless WriteOptions.Overwrite is set.
type UnownedFileError struct {
	// Dir is the output directory.
	Dir string
	// Paths are the conflicting files, sorted, relative to Dir.
	Paths []string
}

// Error lists the files in the way.
func (e *UnownedFileError) Error() string {
	return fmt.Sprintf("refusing to overwrite %d file(s) in %s that govctl did not write (not in %s): %s",
		len(e.Paths), e.Dir, ManifestName, strings.Join(e.Paths, ", "))
}

// validatePath accepts only clean, relative, slash-separated paths that stay
// inside the output directory. Requiring the clean form also keeps one file
// from being owned under two spellings in the manifest.
func validatePath(p string) error {
	reject := func(reason string) error { return &UnsafePathError{Path: p, Reason: reason} }
	switch {
	case p == "" || p == ".":
		return reject("empty path")
	case strings.ContainsRune(p, 0):
		return reject("contains a NUL byte")
	case strings.Contains(p, `\`):
		return reject("contains a backslash; paths are slash-separated")
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return reject("absolute path")
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == ".." {
			return reject(`contains ".."`)
		}
	}
	if clean := filepath.ToSlash(filepath.Clean(p)); clean != p {
		return reject(fmt.Sprintf("not in clean form (%q)", clean))
	}
	if p == ManifestName {
		return reject("reserved for the ownership manifest")
	}
	return nil
}

// checkFileDirClashes rejects a path that is also a directory of another
// path ("a" and "a/b"): both cannot exist.
func checkFileDirClashes(paths []string) error {
	set := make(map[string]bool, len(paths))
	for _, p := range paths {
		set[p] = true
	}
	for _, p := range paths {
		for dir := p; ; {
			i := strings.LastIndexByte(dir, '/')
			if i < 0 {
				break
			}
			dir = dir[:i]
			if set[dir] {
				return fmt.Errorf("output path %s is a file, but %s needs it to be a directory", dir, p)
			}
		}
	}
	return nil
}

// action is one change in a writePlan, with what applying it needs.
type action struct {
	FileChange
	// mode is the permission of the file written: the existing file's for
	// an update, 0644 for a new one.
	mode fs.FileMode
	// oldModTime is the replaced file's modification time, restored if the
	// write is rolled back.
	oldModTime time.Time
}

// writePlan is everything Write will do, decided before anything is
// written (not to be confused with package plan, which compares outputs).
type writePlan struct {
	outDir     string
	rootExists bool
	// actions are sorted by path.
	actions   []action
	unchanged []string
	// manifest is the manifest after a fully successful write.
	manifest        Manifest
	manifestData    []byte
	manifestChanged bool
}

func planWrite(ctx context.Context, outDir string, objs []Object, opts WriteOptions) (*writePlan, error) {
	files, err := EncodeObjects(objs)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if !opts.Scope.Includes(f.Target, f.Env) {
			return nil, fmt.Errorf("%s (target %s, env %q) is outside the scope being written (%s)", f.Path, f.Target, f.Env, opts.Scope)
		}
	}

	p := &writePlan{outDir: outDir, manifest: Manifest{Version: ManifestVersion}}
	ins := inspector{outDir: outDir}
	var prevData []byte
	prev := &Manifest{Version: ManifestVersion}
	switch info, err := os.Stat(outDir); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("output directory %s: %w", outDir, err)
	case !info.IsDir():
		return nil, fmt.Errorf("output directory %s exists and is not a directory", outDir)
	default:
		p.rootExists = true
		resolved, err := filepath.EvalSymlinks(outDir)
		if err == nil {
			resolved, err = filepath.Abs(resolved)
		}
		if err != nil {
			return nil, fmt.Errorf("output directory %s: %w", outDir, err)
		}
		ins.root = resolved
		m, data, err := readManifest(filepath.Join(outDir, ManifestName))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		default:
			prev, prevData = m, data
		}
	}
	owned := make(map[string]ManifestFile, len(prev.Files))
	for _, f := range prev.Files {
		owned[f.Path] = f
	}

	// Look at the existing files concurrently (reading them is most of the
	// time of a write that changes little), then decide in path order, so
	// that the first problem by path is the one reported.
	states := make([]fileState, len(files))
	inspectErrs := make([]error, len(files))
	if p.rootExists {
		forEach(len(files), ioLimit, func(i int) error {
			if ctx.Err() != nil {
				return nil
			}
			st, err := ins.inspect(files[i].Path)
			if st.kind == stateRegular && bytes.Equal(st.data, files[i].Data) {
				st.same, st.data = true, nil
			}
			states[i], inspectErrs[i] = st, err
			return nil
		})
	}

	produced := make(map[string]bool, len(files))
	var unowned []string
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		produced[f.Path] = true
		p.manifest.Files = append(p.manifest.Files, ManifestFile{Path: f.Path, Target: f.Target, Env: f.Env, SHA256: digest(f.Data)})
		if inspectErrs[i] != nil {
			return nil, inspectErrs[i]
		}
		st := states[i]
		change := FileChange{Path: f.Path, Target: f.Target, Env: f.Env, New: f.Data}
		switch st.kind {
		case stateMissing:
			change.Kind = ChangeCreate
			p.actions = append(p.actions, action{FileChange: change, mode: 0o644})
		case stateRegular:
			if st.same {
				p.unchanged = append(p.unchanged, f.Path)
				continue
			}
			if _, ok := owned[f.Path]; !ok && !opts.Overwrite {
				unowned = append(unowned, f.Path)
				continue
			}
			change.Kind, change.Old = ChangeUpdate, st.data
			p.actions = append(p.actions, action{FileChange: change, mode: st.mode, oldModTime: st.modTime})
		case stateBlocked:
			return nil, fmt.Errorf("cannot write %s: %s", filepath.Join(outDir, filepath.FromSlash(f.Path)), st.reason)
		}
	}
	if len(unowned) > 0 {
		return nil, &UnownedFileError{Dir: outDir, Paths: unowned}
	}

	for _, f := range prev.Files {
		if produced[f.Path] {
			continue
		}
		if !opts.Scope.Includes(f.Target, f.Env) {
			p.manifest.Files = append(p.manifest.Files, f)
			continue
		}
		st, err := ins.inspect(f.Path)
		if err != nil {
			return nil, err
		}
		// A file that is gone, or was replaced by a directory or a link, is
		// no longer the file govctl wrote: it is dropped from the manifest
		// and left alone.
		if st.kind == stateRegular {
			p.actions = append(p.actions, action{FileChange: FileChange{
				Path: f.Path, Kind: ChangePrune, Target: f.Target, Env: f.Env, Old: st.data,
			}})
		}
	}
	sort.Slice(p.actions, func(i, j int) bool { return p.actions[i].Path < p.actions[j].Path })
	sort.Strings(p.unchanged)

	// An empty directory without a manifest stays untouched by an empty write.
	if len(p.manifest.Files) > 0 || prevData != nil {
		if p.manifestData, err = p.manifest.marshal(); err != nil {
			return nil, fmt.Errorf("encode ownership manifest: %w", err)
		}
		p.manifestChanged = !bytes.Equal(prevData, p.manifestData)
	}
	return p, nil
}

type stateKind int

const (
	stateMissing stateKind = iota
	stateRegular
	// stateBlocked: something other than a regular file is at the path, or
	// a parent is not a directory.
	stateBlocked
)

type fileState struct {
	kind stateKind
	// same reports that a regular file holds the bytes being written; its
	// data is then dropped.
	same    bool
	data    []byte
	mode    fs.FileMode
	modTime time.Time
	reason  string
}

// inspector looks at paths under an existing output directory without
// following links out of it.
type inspector struct {
	outDir string
	// root is outDir with symlinks resolved, as an absolute path.
	root string
}

func (ins inspector) inspect(rel string) (fileState, error) {
	parts := strings.Split(rel, "/")
	cur := ins.outDir
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		last := i == len(parts)-1
		info, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return fileState{kind: stateMissing}, nil
		}
		if err != nil {
			return fileState{}, fmt.Errorf("inspect %s: %w", cur, err)
		}
		mode := info.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			if last {
				return fileState{kind: stateBlocked, reason: "it is a symbolic link"}, nil
			}
			target, err := filepath.EvalSymlinks(cur)
			if err == nil {
				target, err = filepath.Abs(target)
			}
			if err != nil {
				return fileState{kind: stateBlocked, reason: fmt.Sprintf("%s is a broken symbolic link", cur)}, nil
			}
			if !within(ins.root, target) {
				return fileState{}, &UnsafePathError{Path: rel, Reason: fmt.Sprintf("%s is a symbolic link to %s, outside the output directory", cur, target)}
			}
			if t, err := os.Stat(target); err != nil || !t.IsDir() {
				return fileState{kind: stateBlocked, reason: fmt.Sprintf("%s is not a directory", cur)}, nil
			}
		case mode.IsDir():
			if last {
				return fileState{kind: stateBlocked, reason: "it is a directory"}, nil
			}
		case mode.IsRegular():
			if !last {
				return fileState{kind: stateBlocked, reason: fmt.Sprintf("%s is a file, not a directory", cur)}, nil
			}
			data, err := os.ReadFile(cur)
			if err != nil {
				return fileState{}, fmt.Errorf("read %s: %w", cur, err)
			}
			return fileState{kind: stateRegular, data: data, mode: mode.Perm(), modTime: info.ModTime()}, nil
		default:
			return fileState{kind: stateBlocked, reason: fmt.Sprintf("%s is not a regular file (mode %s)", cur, mode.Type())}, nil
		}
	}
	return fileState{kind: stateMissing}, nil
}

// within reports whether path (absolute, symlinks resolved) is root or
// inside it.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return false
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)))
}
