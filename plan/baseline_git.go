package plan

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

// GitBaseline is the spec directory as it was at a git ref: its files are
// read from the repository's objects with git plumbing (rev-parse,
// ls-tree, cat-file --batch) into a temporary directory, never touching
// the work tree or the index, then loaded with schema.Load and rendered
// with Render, exactly like the head.
type GitBaseline struct {
	// SpecDir is the spec directory in the work tree, as the user named
	// it; the same path inside the repository is read at Ref.
	SpecDir string
	// Ref is any revision git understands: a branch, a tag, a remote
	// branch (origin/main), a commit.
	Ref string
	// Render renders the base's model. Required.
	Render RenderFunc
	// Git is the git executable; "git" (found on PATH) when empty.
	Git string
	// TempDir is where the base's specs are extracted; the system's
	// temporary directory when empty.
	TempDir string

	commit string
	tiers  map[string]schema.Tier
	model  *schema.Model
	// inspectFn is called with the base's model and objects while its
	// spec directory exists (plan lints the base with it).
	inspectFn func(ctx context.Context, m *schema.Model, objs []render.Object) error
}

func (b *GitBaseline) specModel() *schema.Model { return b.model }

func (b *GitBaseline) inspect(fn func(ctx context.Context, m *schema.Model, objs []render.Object) error) {
	b.inspectFn = fn
}

// NewGitBaseline returns the baseline of specDir at ref, rendered with
// renderFunc (the same function that renders the head).
func NewGitBaseline(specDir, ref string, renderFunc RenderFunc) *GitBaseline {
	return &GitBaseline{SpecDir: specDir, Ref: ref, Render: renderFunc}
}

// Describe implements Baseline: the ref, and once read the commit.
func (b *GitBaseline) Describe() string {
	if b.commit != "" {
		return fmt.Sprintf("%s (%s)", b.Ref, shortCommit(b.commit))
	}
	return b.Ref
}

// Covers implements Baseline: the base is rendered like the head, so it
// holds everything.
func (b *GitBaseline) Covers(render.Object) bool { return true }

// Commit is the commit Ref resolved to; empty before Objects is called.
func (b *GitBaseline) Commit() string { return b.commit }

func (b *GitBaseline) environmentTiers() map[string]schema.Tier { return b.tiers }

// ShallowCloneError is a ref that cannot be read because the clone is
// shallow and does not have it.
type ShallowCloneError struct {
	// Ref is the ref that was asked for.
	Ref string
}

// Error says how to get the history the plan needs.
func (e *ShallowCloneError) Error() string {
	return fmt.Sprintf("git ref %q is not in this shallow clone; fetch with history: in GitHub Actions set `fetch-depth: 0` on actions/checkout, or run `git fetch --unshallow` (or fetch the ref, e.g. `git fetch origin main`)", e.Ref)
}

// InvalidBaseSpecsError is a base whose specs do not load: the plan cannot
// say what the change does.
type InvalidBaseSpecsError struct {
	// Ref is the git ref; Dir the spec directory inside the repository.
	Ref, Dir string
	// Err is the load error, positions named as <ref>:<dir>/<file>.
	Err error
}

// Error names the ref and lists the spec errors.
func (e *InvalidBaseSpecsError) Error() string {
	where := e.Ref
	if e.Dir != "." && e.Dir != "" {
		where += ":" + e.Dir
	}
	return fmt.Sprintf("the specs at %s are invalid, so there is nothing to compare with; fix them on %s or plan against another base:\n%v", where, e.Ref, e.Err)
}

// Unwrap returns the load error.
func (e *InvalidBaseSpecsError) Unwrap() error { return e.Err }

// Objects implements Baseline: it renders the specs at Ref. A ref where
// the spec directory did not exist yet is an empty baseline (everything
// is created).
func (b *GitBaseline) Objects(ctx context.Context, _ []render.Object) ([]render.Object, error) {
	if b.Render == nil {
		return nil, errors.New("git baseline: no render function")
	}
	if b.Ref == "" || strings.HasPrefix(b.Ref, "-") {
		return nil, fmt.Errorf("git ref %q is not a revision", b.Ref)
	}
	abs, err := filepath.Abs(b.SpecDir)
	if err != nil {
		return nil, err
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	top, err := b.git(ctx, abs, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("spec directory %s is not in a git repository: %w", b.SpecDir, err)
	}
	root := strings.TrimSpace(string(top))
	if resolved, err := filepath.EvalSymlinks(root); err == nil {
		root = resolved
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("spec directory %s is outside the repository at %s", b.SpecDir, root)
	}
	rel = filepath.ToSlash(rel)

	commit, err := b.git(ctx, root, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", b.Ref+"^{commit}")
	if err != nil {
		shallow, serr := b.git(ctx, root, nil, "rev-parse", "--is-shallow-repository")
		if serr == nil && strings.TrimSpace(string(shallow)) == "true" {
			return nil, &ShallowCloneError{Ref: b.Ref}
		}
		return nil, fmt.Errorf("unknown git ref %q in %s (fetch it first, e.g. `git fetch origin main`)", b.Ref, root)
	}
	b.commit = strings.TrimSpace(string(commit))

	files, err := b.listFiles(ctx, root, rel)
	if err != nil {
		return nil, err
	}
	if !hasSpecFiles(files) {
		// The spec directory did not exist at the base, or held no specs
		// yet: everything is new.
		b.tiers = nil
		b.model = nil
		return nil, nil
	}

	tmp, err := os.MkdirTemp(b.TempDir, "govctl-plan-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	specDir := filepath.Join(tmp, filepath.Base(abs))
	if err := b.extract(ctx, root, rel, files, specDir); err != nil {
		return nil, err
	}

	m, err := schema.Load(ctx, specDir)
	if err != nil {
		var list *diag.List
		if errors.As(err, &list) {
			// Name positions in git's <rev>:<path> notation.
			list.Dir = b.Ref + ":" + rel
		} else {
			err = errors.New(strings.ReplaceAll(err.Error(), specDir, b.Ref+":"+rel))
		}
		return nil, &InvalidBaseSpecsError{Ref: b.Ref, Dir: rel, Err: err}
	}
	b.tiers = map[string]schema.Tier{}
	for name, env := range m.Environments {
		b.tiers[name] = env.Tier
	}
	objs, err := b.Render(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("render the specs at %s: %w", b.Ref, err)
	}
	b.model = m
	if b.inspectFn != nil {
		if err := b.inspectFn(ctx, m, objs); err != nil {
			return nil, fmt.Errorf("the specs at %s: %w", b.Ref, err)
		}
	}
	return objs, nil
}

// treeFile is one blob of the spec directory at the base.
type treeFile struct {
	path string // relative to the spec directory, slash-separated
	sha  string
	exec bool
}

// listFiles lists the regular files under rel at the commit; symbolic
// links and submodules are left out, as schema.Load would not follow them
// out of the directory either.
func (b *GitBaseline) listFiles(ctx context.Context, root, rel string) ([]treeFile, error) {
	args := []string{"ls-tree", "-r", "-z", "--full-tree", b.commit}
	prefix := ""
	if rel != "." {
		args = append(args, "--", rel)
		prefix = rel + "/"
	}
	out, err := b.git(ctx, root, nil, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s at %s: %w", rel, b.Ref, err)
	}
	var files []treeFile
	for _, rec := range strings.Split(string(out), "\x00") {
		if rec == "" {
			continue
		}
		meta, name, ok := strings.Cut(rec, "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 || fields[1] != "blob" {
			continue
		}
		if fields[0] != "100644" && fields[0] != "100755" {
			continue
		}
		p, ok := strings.CutPrefix(name, prefix)
		if !ok || p == "" {
			continue
		}
		files = append(files, treeFile{path: p, sha: fields[2], exec: fields[0] == "100755"})
	}
	return files, nil
}

// extract writes the blobs into dir with one `git cat-file --batch`.
func (b *GitBaseline) extract(ctx context.Context, root, rel string, files []treeFile, dir string) error {
	var in bytes.Buffer
	for _, f := range files {
		in.WriteString(f.sha + "\n")
	}
	out, err := b.git(ctx, root, &in, "cat-file", "--batch")
	if err != nil {
		return fmt.Errorf("read %s at %s: %w", rel, b.Ref, err)
	}
	r := bufio.NewReader(bytes.NewReader(out))
	for _, f := range files {
		header, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("read %s at %s: truncated git cat-file output", rel, b.Ref)
		}
		fields := strings.Fields(header)
		if len(fields) != 3 || fields[0] != f.sha || fields[1] != "blob" {
			return fmt.Errorf("read %s/%s at %s: git cat-file answered %q", rel, f.path, b.Ref, strings.TrimSpace(header))
		}
		size, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("read %s/%s at %s: bad size in %q", rel, f.path, b.Ref, strings.TrimSpace(header))
		}
		data := make([]byte, size)
		if _, err := io.ReadFull(r, data); err != nil {
			return fmt.Errorf("read %s/%s at %s: truncated git cat-file output", rel, f.path, b.Ref)
		}
		if _, err := r.Discard(1); err != nil { // the newline after the content
			return fmt.Errorf("read %s/%s at %s: truncated git cat-file output", rel, f.path, b.Ref)
		}
		clean := path.Clean(f.path)
		if clean != f.path || strings.HasPrefix(clean, "../") || path.IsAbs(clean) {
			return fmt.Errorf("read %s at %s: unsafe path %q in the tree", rel, b.Ref, f.path)
		}
		local := filepath.Join(dir, filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if f.exec {
			mode = 0o755
		}
		if err := os.WriteFile(local, data, mode); err != nil {
			return err
		}
	}
	return nil
}

// git runs a git command in dir and returns its standard output; the error
// carries git's standard error.
func (b *GitBaseline) git(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	exe := b.Git
	if exe == "" {
		exe = "git"
	}
	cmd := exec.CommandContext(ctx, exe, append([]string{"-C", dir}, args...)...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("git is not installed (or not on PATH): %w", err)
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return nil, fmt.Errorf("git %s: %w", args[0], err)
		}
		return nil, fmt.Errorf("git %s: %s", args[0], msg)
	}
	return stdout.Bytes(), nil
}

// hasSpecFiles reports whether any file is a .cue file.
func hasSpecFiles(files []treeFile) bool {
	for _, f := range files {
		if strings.HasSuffix(f.path, ".cue") {
			return true
		}
	}
	return false
}

func shortCommit(c string) string {
	if len(c) > 7 {
		return c[:7]
	}
	return c
}
