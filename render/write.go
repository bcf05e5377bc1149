package render

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// Scope is the part of the output a write is responsible for: pruning only
// considers files the manifest assigns to a target and environment inside
// it, so rendering one target or environment leaves the others' files alone.
// The zero Scope covers everything.
type Scope struct {
	// Targets limits the scope to these targets; empty means all.
	Targets []Target
	// Envs limits the scope to these environments; empty means all. Objects
	// that span environments have Env "" and are inside a scope that lists
	// environments only if it lists "" too.
	Envs []string
}

// ScopeFor is the scope of a render of targets (all when empty) for one
// environment (all when env is empty). Files that span environments (deploy
// workflows) stay inside a one-environment scope: rendering one environment
// renders them too.
func ScopeFor(targets []Target, env string) Scope {
	s := Scope{Targets: targets}
	if env != "" {
		s.Envs = []string{env, ""}
	}
	return s
}

// Includes reports whether a file of target and env is inside the scope.
func (s Scope) Includes(target Target, env string) bool {
	return (len(s.Targets) == 0 || slices.Contains(s.Targets, target)) &&
		(len(s.Envs) == 0 || slices.Contains(s.Envs, env))
}

// Filter returns the objects inside the scope, in their order.
func (s Scope) Filter(objs []Object) []Object {
	var out []Object
	for _, o := range objs {
		if s.Includes(o.Target, o.Env) {
			out = append(out, o)
		}
	}
	return out
}

// String describes the scope for messages.
func (s Scope) String() string {
	targets, envs := "all targets", "all environments"
	if len(s.Targets) > 0 {
		names := make([]string, len(s.Targets))
		for i, t := range s.Targets {
			names[i] = string(t)
		}
		targets = "targets " + strings.Join(names, ", ")
	}
	if len(s.Envs) > 0 {
		quoted := make([]string, len(s.Envs))
		for i, e := range s.Envs {
			quoted[i] = fmt.Sprintf("%q", e)
		}
		envs = "environments " + strings.Join(quoted, ", ")
	}
	return targets + "; " + envs
}

// WriteOptions control Write and Check.
type WriteOptions struct {
	// Scope is the part of the output being written. Every object must be
	// inside it, and only files owned by it are pruned.
	Scope Scope
	// Overwrite allows replacing existing files that are not in the
	// manifest; they become owned. Without it such a file with other
	// content is an *UnownedFileError. A file with identical content is
	// adopted either way.
	Overwrite bool

	// hooks inject failures in tests.
	hooks *writeHooks
}

// writeHooks are called one at a time even while files are staged
// concurrently, so a hook needs no locking of its own.
type writeHooks struct {
	// afterStage runs after each file is staged to its temporary file.
	afterStage func(path string) error
	// beforeCommit runs before each staged file is renamed into place.
	beforeCommit func(path string) error
}

// WriteResult reports what Write did. Every list is sorted.
type WriteResult struct {
	// Created are files that did not exist before.
	Created []string
	// Updated are files whose content changed.
	Updated []string
	// Unchanged are produced files whose bytes already matched; they were
	// not rewritten and keep their modification times.
	Unchanged []string
	// Pruned are files govctl wrote earlier that the scope no longer
	// produces; they were removed, with the directories they left empty.
	Pruned []string
	// ManifestWritten reports that the ownership manifest was written.
	ManifestWritten bool
}

// Write brings outDir to exactly the files the objects encode to, all or
// nothing: every new or changed file is first staged to a temporary file in
// its final directory, and only when all are staged are they renamed into
// place, so a reader never sees a half-written file. A directory that does
// not exist yet (outDir itself on a first render, a new service's
// directory) is staged whole under a temporary name beside it, its files
// written straight into it, and renamed into place with them in one step;
// a first render of thousands of files is then one rename, not thousands.
// On an error before that point the temporary files and directories are
// removed, so the previous output stays exactly as it was; should a rename
// fail, the files and directories already renamed are removed or restored
// from their previous content.
// Files whose bytes are unchanged are not rewritten. Files are encoded and
// staged concurrently; the result, the bytes written and the error reported
// do not depend on scheduling.
//
// Write does not fsync the files or their directories, so a crash of the
// machine (not of govctl) shortly after a write can leave a file empty or
// torn. That is deliberate: rendered output is derived and reproducible from
// the spec, the manifest records each file's sha256 so `govctl render
// --check` finds a torn file, and rendering again repairs it, while syncing
// each of thousands of files made large renders much slower. kubectl, helm
// template and terraform do not fsync their outputs either.
//
// After the files are in place, files listed in the ownership manifest
// (ManifestName) for the scope being written that are no longer produced are
// pruned, with directories they leave empty; nothing else in outDir is ever
// touched. The manifest is written last.
//
// Paths must be clean, relative and stay inside outDir, also through
// symbolic links (*UnsafePathError). A corrupt manifest is a *ManifestError,
// an unowned file in the way an *UnownedFileError.
func Write(ctx context.Context, outDir string, objs []Object, opts WriteOptions) (WriteResult, error) {
	p, err := planWrite(ctx, outDir, objs, opts)
	if err != nil {
		return WriteResult{}, err
	}
	return p.apply(ctx, opts.hooks)
}

// staged is a file waiting to be put in place: a temporary file to rename,
// or (tmp empty) a file written inside a staged directory.
type staged struct {
	action *action
	tmp    string
	final  string
	// root is the new directory the file is written in under its staged
	// name; "" for a file staged beside its final path.
	root string
}

// stager tracks what a write created so it can undo it. Its fields belong
// to the goroutine that runs the write: the goroutines that create
// directories and stage files report what they created, and it is recorded
// once they are done.
type stager struct {
	outDir string
	temps  []string
	// isDir holds the directories known to exist (or staged), so that the
	// many files of one directory cost one look at it.
	isDir map[string]bool
	// roots maps each new directory whose parent exists to the temporary
	// directory it is staged as; everything below it is created inside.
	roots map[string]string
}

// staging returns the path a file or directory at path is created at while
// the write is staged, and the new root it is under ("" when none).
func (s *stager) staging(path string) (string, string) {
	if len(s.roots) == 0 {
		return path, ""
	}
	for d := path; ; {
		if tmp, ok := s.roots[d]; ok {
			return tmp + path[len(d):], d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return path, ""
		}
		d = parent
	}
}

// ioLimit bounds the files read or staged at once. That is mostly system
// calls; a few in flight keep the disk and the CPUs busy, more only contend
// for the file system's locks.
const ioLimit = 8

func (p *writePlan) apply(ctx context.Context, hooks *writeHooks) (res WriteResult, err error) {
	if hooks == nil {
		hooks = &writeHooks{}
	}
	res.Unchanged = p.unchanged
	if len(p.actions) == 0 && !p.manifestChanged {
		return res, nil
	}

	st := &stager{outDir: p.outDir, isDir: map[string]bool{}, roots: map[string]string{}}
	committed := false
	defer func() {
		if !committed {
			st.abort()
		}
	}()

	var files []staged
	var prunes []*action
	for i := range p.actions {
		a := &p.actions[i]
		if a.Kind == ChangePrune {
			prunes = append(prunes, a)
			continue
		}
		files = append(files, staged{action: a, final: p.localPath(a.Path)})
	}
	finals := make([]string, len(files))
	for i, f := range files {
		finals[i] = f.final
	}
	if err := st.mkdirs(ctx, finals); err != nil {
		return WriteResult{}, err
	}
	var hookMu sync.Mutex
	err = forEach(len(files), ioLimit, func(i int) error {
		f := &files[i]
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write %s: %w", p.outDir, err)
		}
		if path, root := st.staging(f.final); root != "" {
			// Nobody sees this directory before it is renamed into place:
			// the file is written at its final name inside it.
			if err := writeNew(path, f.action.New, f.action.mode); err != nil {
				return fmt.Errorf("write %s: %w", f.final, err)
			}
			f.root = root
		} else {
			tmp, err := stageFile(filepath.Dir(f.final), f.action.New, f.action.mode)
			if err != nil {
				return fmt.Errorf("write %s: %w", f.final, err)
			}
			f.tmp = tmp
		}
		if hooks.afterStage != nil {
			hookMu.Lock()
			defer hookMu.Unlock()
			if err := hooks.afterStage(f.action.Path); err != nil {
				return fmt.Errorf("write %s: %w", f.final, err)
			}
		}
		return nil
	})
	for _, f := range files {
		if f.tmp != "" {
			st.temps = append(st.temps, f.tmp)
		}
	}
	if err != nil {
		return WriteResult{}, err
	}
	manifestPath := filepath.Join(p.outDir, ManifestName)
	var manifestTmp string
	manifestInRoot := false
	if p.manifestChanged {
		if err := st.mkdirs(ctx, []string{manifestPath}); err != nil {
			return WriteResult{}, err
		}
		if path, root := st.staging(manifestPath); root != "" {
			// A new output directory: the manifest arrives with its files.
			if err := writeNew(path, p.manifestData, 0o644); err != nil {
				return WriteResult{}, fmt.Errorf("write %s: %w", manifestPath, err)
			}
			manifestInRoot = true
		} else {
			if manifestTmp, err = stageFile(p.outDir, p.manifestData, 0o644); err != nil {
				return WriteResult{}, fmt.Errorf("write %s: %w", manifestPath, err)
			}
			st.temps = append(st.temps, manifestTmp)
		}
	}
	if err := ctx.Err(); err != nil {
		return WriteResult{}, fmt.Errorf("write %s: %w", p.outDir, err)
	}

	// Commit, in path order: a staged file is renamed into place, a new
	// directory when its first file is reached. From here on the context
	// is not consulted: stopping half way would leave a mix of old and new
	// files.
	var done []staged
	commitFailed := func(path string, err error) error {
		err = fmt.Errorf("write %s: %w", path, err)
		if rerr := rollback(done); rerr != nil {
			err = fmt.Errorf("%w; restoring the previous output also failed, output may be mixed: %v", err, rerr)
		}
		return err
	}
	for _, f := range files {
		var err error
		if hooks.beforeCommit != nil {
			err = hooks.beforeCommit(f.action.Path)
		}
		// A root still in st.roots is not renamed yet.
		switch tmp, pending := st.roots[f.root]; {
		case err != nil:
		case f.root == "":
			err = os.Rename(f.tmp, f.final)
		case pending:
			// Rename fails rather than replace a directory that has
			// appeared meanwhile, unless it is empty.
			if err = os.Rename(tmp, f.root); err == nil {
				delete(st.roots, f.root)
			}
		}
		if err != nil {
			return WriteResult{}, commitFailed(f.final, err)
		}
		done = append(done, f)
	}
	// A new directory no file was renamed with holds only the manifest
	// (a first write of no files).
	for _, root := range slices.Sorted(maps.Keys(st.roots)) {
		if err := os.Rename(st.roots[root], root); err != nil {
			return WriteResult{}, commitFailed(manifestPath, err)
		}
		delete(st.roots, root)
		done = append(done, staged{root: root})
	}
	committed = true
	if manifestInRoot {
		res.ManifestWritten = true
	}

	var failed []ManifestFile
	var pruneErrs []error
	for _, a := range prunes {
		final := p.localPath(a.Path)
		if err := removeOwned(final); err != nil {
			failed = append(failed, ManifestFile{Path: a.Path, Target: a.Target, Env: a.Env, SHA256: digest(a.Old)})
			pruneErrs = append(pruneErrs, fmt.Errorf("prune %s: %w", final, err))
			continue
		}
		res.Pruned = append(res.Pruned, a.Path)
		removeEmptyParents(p.outDir, a.Path)
	}
	if len(failed) > 0 {
		// Keep owning what could not be pruned, so a later write retries.
		os.Remove(manifestTmp)
		m := Manifest{Version: p.manifest.Version, Files: append(slices.Clone(p.manifest.Files), failed...)}
		data, err := m.marshal()
		if err == nil {
			manifestTmp, err = stageFile(p.outDir, data, 0o644)
		}
		if err != nil {
			pruneErrs = append(pruneErrs, fmt.Errorf("write %s: %w", manifestPath, err))
			manifestTmp = ""
		}
	}
	if manifestTmp != "" {
		if err := os.Rename(manifestTmp, manifestPath); err != nil {
			os.Remove(manifestTmp)
			pruneErrs = append(pruneErrs, fmt.Errorf("write %s: %w (the new files are in place but not recorded as owned)", manifestPath, err))
		} else {
			res.ManifestWritten = true
		}
	}

	for _, f := range files {
		if f.action.Kind == ChangeCreate {
			res.Created = append(res.Created, f.action.Path)
		} else {
			res.Updated = append(res.Updated, f.action.Path)
		}
	}
	sort.Strings(res.Pruned)
	return res, errors.Join(pruneErrs...)
}

// localPath turns a slash-separated output path into a file path.
func (p *writePlan) localPath(rel string) string {
	return filepath.Join(p.outDir, filepath.FromSlash(rel))
}

// mkdirs creates the directories the files at paths go in, with missing
// parents, remembering each one it created so abort can remove them again.
// It looks at the directories in the order of paths, so that the first
// problem is the one reported, then creates the missing ones a level at a
// time, the directories of one level concurrently: an output of thousands of
// services has thousands of directories.
func (s *stager) mkdirs(ctx context.Context, paths []string) error {
	type newDir struct {
		path, neededBy string
		depth          int
	}
	var missing []newDir
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write %s: %w", s.outDir, err)
		}
		var chain []string
		dir := filepath.Dir(p)
		for d := dir; !s.isDir[d]; {
			info, err := os.Stat(d)
			if err == nil {
				if !info.IsDir() {
					return fmt.Errorf("write %s: %s is not a directory", p, d)
				}
				break
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("write %s: %w", p, err)
			}
			if _, err := os.Lstat(d); err == nil {
				return fmt.Errorf("write %s: %s is a symbolic link to a missing directory", p, d)
			}
			chain = append(chain, d)
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
		for _, d := range chain {
			missing = append(missing, newDir{path: d, neededBy: p, depth: strings.Count(d, string(filepath.Separator))})
		}
		for d := dir; !s.isDir[d]; d = filepath.Dir(d) {
			s.isDir[d] = true
		}
	}
	slices.SortStableFunc(missing, func(a, b newDir) int { return a.depth - b.depth })
	for len(missing) > 0 {
		n := 1
		for n < len(missing) && missing[n].depth == missing[0].depth {
			n++
		}
		level := missing[:n]
		missing = missing[n:]
		created := make([]string, len(level))
		err := forEach(len(level), ioLimit, func(i int) error {
			d := level[i]
			var err error
			if path, root := s.staging(d.path); root != "" {
				err = os.Mkdir(path, 0o755)
			} else {
				// A new directory whose parent exists is a root: it is
				// made under a temporary name and renamed at commit.
				created[i], err = mkdirTemp(filepath.Dir(d.path), filepath.Base(d.path))
			}
			if err != nil {
				if errors.Is(err, fs.ErrPermission) {
					return fmt.Errorf("write %s: cannot create directory %s: %w", d.neededBy, d.path, fs.ErrPermission)
				}
				return fmt.Errorf("write %s: create directory %s: %w", d.neededBy, d.path, unwrapPathError(err))
			}
			return nil
		})
		for i, tmp := range created {
			if tmp != "" {
				s.roots[level[i].path] = tmp
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// abort removes every temporary file and directory the write created.
func (s *stager) abort() {
	for _, t := range s.temps {
		os.Remove(t)
	}
	for _, tmp := range s.roots {
		os.RemoveAll(tmp)
	}
}

// mkdirTemp creates a new hidden directory in parent named after the
// directory it stands in for, with the permissions os.Mkdir gives (the
// umask applies, as for any directory Write creates), and returns its path.
func mkdirTemp(parent, name string) (string, error) {
	for {
		tmp := filepath.Join(parent, ".govctl-tmp-"+name+"-"+strconv.FormatUint(uint64(rand.Uint32()), 36))
		err := os.Mkdir(tmp, 0o755)
		if err == nil {
			return tmp, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
}

// writeNew writes a file that must not exist yet, with exactly mode.
func writeNew(path string, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return unwrapPathError(err)
	}
	return unwrapPathError(fill(f, data, mode))
}

// fill writes data to a file just created, gives it exactly mode whatever
// the umask, and closes it; on an error the file is removed.
func fill(f *os.File, data []byte, mode fs.FileMode) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// stageFile writes data to a new hidden temporary file in dir. Staging in
// the final directory keeps the later rename on one file system, where it is
// atomic. The file is not synced; see Write.
func stageFile(dir string, data []byte, mode fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".govctl-tmp-*")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return "", fmt.Errorf("cannot create a file in directory %s: %w", dir, fs.ErrPermission)
		}
		return "", fmt.Errorf("cannot create a file in directory %s: %w", dir, unwrapPathError(err))
	}
	if err := fill(f, data, mode); err != nil {
		return "", fmt.Errorf("stage %s: %w", f.Name(), unwrapPathError(err))
	}
	return f.Name(), nil
}

// unwrapPathError drops an *fs.PathError's own path where the message names
// a better one.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// rollback undoes renames already done: created files are removed, updated
// files get their previous content, mode and modification time back.
func rollback(done []staged) error {
	var errs []error
	removedRoots := map[string]bool{}
	for i := len(done) - 1; i >= 0; i-- {
		f := done[i]
		if f.root != "" {
			// The whole directory is new: it goes, with every file in it.
			if !removedRoots[f.root] {
				removedRoots[f.root] = true
				if err := os.RemoveAll(f.root); err != nil {
					errs = append(errs, err)
				}
			}
			continue
		}
		if f.action.Kind == ChangeCreate {
			if err := os.Remove(f.final); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		tmp, err := stageFile(filepath.Dir(f.final), f.action.Old, f.action.mode)
		if err == nil {
			if err = os.Rename(tmp, f.final); err != nil {
				os.Remove(tmp)
			}
		}
		if err == nil {
			err = os.Chtimes(f.final, time.Time{}, f.action.oldModTime)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("restore %s: %w", f.final, err))
		}
	}
	return errors.Join(errs...)
}

// removeOwned removes a file govctl wrote, refusing anything that is not a
// regular file any more.
func removeOwned(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("no longer a regular file (mode %s); left alone", info.Mode().Type())
	}
	return os.Remove(path)
}

// removeEmptyParents removes the directories between a pruned file and
// outDir that are now empty. Removal stops at the first directory that is
// not empty or not a real directory (a symbolic link is never removed).
func removeEmptyParents(outDir, rel string) {
	for dir := parentDir(rel); dir != ""; dir = parentDir(dir) {
		local := filepath.Join(outDir, filepath.FromSlash(dir))
		info, err := os.Lstat(local)
		if err != nil || !info.IsDir() {
			return
		}
		if os.Remove(local) != nil {
			return
		}
	}
}

// parentDir is path.Dir for clean relative paths, returning "" at the top.
func parentDir(rel string) string {
	i := strings.LastIndexByte(rel, '/')
	if i < 0 {
		return ""
	}
	return rel[:i]
}

// forEach calls fn(i) for every i in [0, n), at most limit calls at a time,
// and returns the error of the lowest i that failed, so that the error
// reported does not depend on scheduling. Once some i has failed, higher
// indices are no longer started; lower ones still are, as one of them may
// fail too. fn must be safe to call concurrently for distinct indices.
func forEach(n, limit int, fn func(i int) error) error {
	errs := make([]error, n)
	var lowestFailed atomic.Int64
	lowestFailed.Store(int64(n))
	var g errgroup.Group
	g.SetLimit(limit)
	for i := range n {
		if int64(i) > lowestFailed.Load() {
			break
		}
		g.Go(func() error {
			if int64(i) > lowestFailed.Load() {
				return nil
			}
			if err := fn(i); err != nil {
				errs[i] = err
				for {
					cur := lowestFailed.Load()
					if int64(i) >= cur || lowestFailed.CompareAndSwap(cur, int64(i)) {
						break
					}
				}
			}
			return nil
		})
	}
	g.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
