// Package istiovalidate lets govctl's tests check Istio objects with Istio's
// own validation: the strict decoding of spec into the istio.io/api protos
// and the validation functions of istio.io/istio/pkg/config/validation, the
// code that `istioctl validate` runs.
//
// That code is large, so it is not linked into govctl or into test binaries.
// It lives in the separate module tools/istio-validate, which this package
// builds once with the go command, keeps in the user's cache directory
// (os.UserCacheDir()/govctl-test) under a name derived from the tool's
// sources and the Go version, and runs as a child process. The first build
// on a machine takes one to two minutes; later runs take milliseconds.
//
// The go command is required: without it the test fails rather than skips,
// because a skipped check would let invalid Istio objects through unseen.
// For the same reason -short is not honoured: after the first build a run
// costs a few milliseconds, and the build is done by the first test that
// needs it, -short or not.
package istiovalidate

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// modulePath identifies the go.mod of govctl's main module, the root from
// which the tool's sources are found.
const modulePath = "github.com/govctl/govctl"

// toolDir is the tool's module directory, relative to the repository root.
const toolDir = "tools/istio-validate"

// staleAfter is how long a cached build of an older version of the tool is
// kept after its last use.
const staleAfter = 7 * 24 * time.Hour

// Severity says how serious a Finding is.
type Severity string

// Severities the validator reports.
const (
	// SeverityError marks a problem that makes the object invalid: Istio
	// would reject it.
	SeverityError Severity = "error"
	// SeverityWarning marks a problem Istio accepts with a warning.
	SeverityWarning Severity = "warning"
	// SeveritySkipped marks a document that was not validated because it is
	// not an object Istio validates (for example a ConfigMap or a YAML file
	// that is not a Kubernetes object).
	SeveritySkipped Severity = "skipped"
)

// Finding is one problem the validator reported for an object.
type Finding struct {
	Severity Severity
	Message  string
}

// Object is the validator's verdict on one object: one YAML document, or one
// item of a List document.
type Object struct {
	// File is the path as it was passed to Run, or a file found under a
	// directory that was passed; "-" for standard input.
	File string
	// Document counts the non-empty YAML documents of File from 1. It is 0
	// for a problem with the whole file, such as a file that cannot be read.
	// The items of a List share the List's number.
	Document int
	// Kind, Namespace and Name identify the object as its document states
	// them; Namespace is empty when the document states none (the
	// validator then assumes "default", as istioctl does).
	Kind, Namespace, Name string
	// Findings are the problems found, errors first; none for a valid
	// object without warnings.
	Findings []Finding
}

// String identifies the object as the validator prints it,
// "file:doc kind/namespace/name".
func (o Object) String() string {
	return fmt.Sprintf("%s:%d %s/%s/%s", o.File, o.Document, o.Kind, o.Namespace, o.Name)
}

// Valid reports whether the object was validated and has no errors.
// A skipped document is not valid: it was never checked.
func (o Object) Valid() bool {
	return !o.Skipped() && len(o.Errors()) == 0
}

// Skipped reports whether the document was not validated because it is not
// an object Istio validates.
func (o Object) Skipped() bool {
	return len(o.messages(SeveritySkipped)) > 0
}

// Errors returns the messages of the object's error findings.
func (o Object) Errors() []string { return o.messages(SeverityError) }

// Warnings returns the messages of the object's warning findings.
func (o Object) Warnings() []string { return o.messages(SeverityWarning) }

func (o Object) messages(s Severity) []string {
	var out []string
	for _, f := range o.Findings {
		if f.Severity == s {
			out = append(out, f.Message)
		}
	}
	return out
}

// Result is what one run of the validator found.
type Result struct {
	// Objects lists every object and document in the order the validator
	// read them, valid ones included.
	Objects []Object
	// Valid, Invalid and Skipped are the counts from the validator's summary
	// line. Objects with only warnings count as valid. Problems with whole
	// files (Document 0) are not counted, but they make the run fail.
	Valid, Invalid, Skipped int
	// ExitCode is the validator's exit status: 1 if there was any error,
	// 0 otherwise.
	ExitCode int
	// Output is the validator's standard output, for test logs.
	Output string
}

// Find returns the first object with the given kind, namespace and name.
func (r Result) Find(kind, namespace, name string) (Object, bool) {
	for _, o := range r.Objects {
		if o.Kind == kind && o.Namespace == namespace && o.Name == name {
			return o, true
		}
	}
	return Object{}, false
}

// Run validates the YAML files and directories at paths (directories are
// walked recursively for *.yaml and *.yml; "-" is not allowed, use RunYAML)
// and returns what the validator found. Relative paths are taken from the
// test's working directory. Run fails the test only when the validator
// cannot be built or run, not when an object is invalid: check the Result,
// or use ExpectValid.
func Run(t testing.TB, paths ...string) Result {
	t.Helper()
	if len(paths) == 0 {
		t.Fatal("istiovalidate.Run: no paths to validate")
	}
	if slices.Contains(paths, "-") {
		t.Fatal(`istiovalidate.Run: "-" (standard input) is not a path; use RunYAML`)
	}
	return run(t, nil, paths...)
}

// RunYAML validates a YAML stream of one or more documents, as Run does for
// files; the File of each Object is "-".
func RunYAML(t testing.TB, yaml []byte) Result {
	t.Helper()
	return run(t, yaml, "-")
}

// ExpectValid validates paths as Run does and reports, as test errors, every
// error finding, every skipped document (a test that asks for Istio
// validation must not pass on documents that were never validated) and a
// run that found no objects at all. Warnings are logged.
func ExpectValid(t testing.TB, paths ...string) Result {
	t.Helper()
	r := Run(t, paths...)
	for _, o := range r.Objects {
		for _, f := range o.Findings {
			switch f.Severity {
			case SeverityError:
				t.Errorf("%s: Istio rejects it: %s", o, f.Message)
			case SeveritySkipped:
				t.Errorf("%s: not validated: %s", o, f.Message)
			case SeverityWarning:
				t.Logf("%s: Istio warns: %s", o, f.Message)
			}
		}
	}
	if len(r.Objects) == 0 {
		t.Errorf("istio-validate found no objects in %s", strings.Join(paths, ", "))
	}
	return r
}

// run builds the validator if needed, runs it on args and parses its output.
func run(t testing.TB, stdin []byte, args ...string) Result {
	t.Helper()
	bin, err := toolBinary()
	if err != nil {
		t.Fatalf("istiovalidate: %v", err)
	}
	cmd := exec.CommandContext(t.Context(), bin, append([]string{"-v", "--"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err = cmd.Run()
	exitCode := 0
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
			t.Fatalf("istiovalidate: run %s %s: %v\nstderr:\n%s\nstdout:\n%s",
				bin, strings.Join(args, " "), err, stderr.String(), stdout.String())
		}
		exitCode = 1
	}
	r, err := parseOutput(stdout.String())
	if err != nil {
		t.Fatalf("istiovalidate: reading the output of istio-validate %s: %v\noutput:\n%s",
			strings.Join(args, " "), err, stdout.String())
	}
	r.ExitCode = exitCode
	return r
}

// lineRE matches one finding line:
// "<file>:<doc> <kind>/<namespace>/<name>: <severity>[: <message>]".
var lineRE = regexp.MustCompile(`^(.*):(\d+) ([^/ ]*)/([^/ ]*)/([^ ]*): (ok|error|warning|skipped)(?:: (.*))?$`)

// summaryRE matches the last line, "N objects valid, M invalid[, K skipped]".
var summaryRE = regexp.MustCompile(`^(\d+) objects valid, (\d+) invalid(?:, (\d+) skipped)?$`)

// parseOutput turns the validator's -v output into a Result, and checks
// that the objects it lists add up to its summary line.
func parseOutput(out string) (Result, error) {
	var r Result
	r.Output = out
	sawSummary := false
	scanner := bufio.NewScanner(strings.NewReader(out))
	scanner.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for scanner.Scan() {
		line := scanner.Text()
		if sawSummary {
			return r, fmt.Errorf("line after the summary line: %q", line)
		}
		if m := summaryRE.FindStringSubmatch(line); m != nil {
			r.Valid, _ = strconv.Atoi(m[1])
			r.Invalid, _ = strconv.Atoi(m[2])
			if m[3] != "" {
				r.Skipped, _ = strconv.Atoi(m[3])
			}
			sawSummary = true
			continue
		}
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			return r, fmt.Errorf("unexpected line %q", line)
		}
		doc, err := strconv.Atoi(m[2])
		if err != nil {
			return r, fmt.Errorf("document number in line %q: %w", line, err)
		}
		o := Object{File: m[1], Document: doc, Kind: m[3], Namespace: m[4], Name: m[5]}
		// The findings of one object are printed on consecutive lines.
		if n := len(r.Objects); n == 0 || !sameObject(r.Objects[n-1], o) || m[6] == "ok" {
			r.Objects = append(r.Objects, o)
		}
		if m[6] != "ok" {
			last := &r.Objects[len(r.Objects)-1]
			last.Findings = append(last.Findings, Finding{Severity: Severity(m[6]), Message: m[7]})
		}
	}
	if err := scanner.Err(); err != nil {
		return r, err
	}
	if !sawSummary {
		return r, errors.New("no summary line")
	}
	var valid, invalid, skipped int
	for _, o := range r.Objects {
		switch {
		case o.Document == 0:
		case o.Skipped():
			skipped++
		case o.Valid():
			valid++
		default:
			invalid++
		}
	}
	if valid != r.Valid || invalid != r.Invalid || skipped != r.Skipped {
		return r, fmt.Errorf("the summary says %d valid, %d invalid, %d skipped, but the lines list %d, %d, %d",
			r.Valid, r.Invalid, r.Skipped, valid, invalid, skipped)
	}
	return r, nil
}

func sameObject(a, b Object) bool {
	return a.File == b.File && a.Document == b.Document &&
		a.Kind == b.Kind && a.Namespace == b.Namespace && a.Name == b.Name
}

// builds memoises the build per repository root for the life of the test
// process, failures included, so that parallel tests wait for one build.
var builds struct {
	sync.Mutex
	bins map[string]buildResult
}

type buildResult struct {
	bin string
	err error
}

// toolBinary returns the path of a built validator for the repository
// around the working directory, building it if no cached build matches the
// tool's current sources.
func toolBinary() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find the repository root: %w", err)
	}
	root, err := findRepoRoot(wd)
	if err != nil {
		return "", err
	}
	builds.Lock()
	defer builds.Unlock()
	if b, ok := builds.bins[root]; ok {
		return b.bin, b.err
	}
	cacheRoot, err := os.UserCacheDir()
	if err != nil {
		// No home directory (some CI sandboxes): a cache that lasts
		// until the temp directory is cleaned is better than none.
		cacheRoot = os.TempDir()
	}
	bin, err := buildTool(filepath.Join(root, filepath.FromSlash(toolDir)), filepath.Join(cacheRoot, "govctl-test"))
	if builds.bins == nil {
		builds.bins = map[string]buildResult{}
	}
	builds.bins[root] = buildResult{bin, err}
	return bin, err
}

// findRepoRoot walks up from dir to the directory whose go.mod declares
// govctl's main module (tools/istio-validate has a go.mod of its own, which
// is passed over).
func findRepoRoot(dir string) (string, error) {
	for d := dir; ; {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && goModModule(data) == modulePath {
			return d, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("find the repository root: %w", err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("find the repository root: no go.mod of module %s in %s or its parents", modulePath, dir)
		}
		d = parent
	}
}

// goModModule returns the module path a go.mod declares, or "".
func goModModule(data []byte) string {
	for line := range strings.Lines(string(data)) {
		line, _, _ = strings.Cut(line, "//")
		fields := strings.Fields(line)
		if len(fields) == 2 && fields[0] == "module" {
			if p, err := strconv.Unquote(fields[1]); err == nil {
				return p
			}
			return fields[1]
		}
	}
	return ""
}

// buildTool returns the build of the tool in dir cached in cacheDir,
// building it first if there is none. Parallel test processes share the cache: a file lock
// makes all but one wait, and the build is written under a temporary name
// and renamed into place, so no process ever runs a half-written binary.
func buildTool(dir, cacheDir string) (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("build %s: the go command is needed to build Istio's validator and was not found: %w", toolDir, err)
	}
	key, err := toolKey(goCmd, dir)
	if err != nil {
		return "", fmt.Errorf("build %s: %w", toolDir, err)
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("build %s: %w", toolDir, err)
	}
	name := "istio-validate-" + key
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(cacheDir, name)
	if isFile(bin) {
		markUsed(bin)
		return bin, nil
	}

	unlock, err := lockFile(filepath.Join(cacheDir, "istio-validate-"+key+".lock"))
	if err != nil {
		return "", fmt.Errorf("build %s: lock the build cache: %w", toolDir, err)
	}
	defer unlock()
	if isFile(bin) { // another process built it while this one waited
		markUsed(bin)
		return bin, nil
	}

	tmp, err := os.CreateTemp(cacheDir, name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("build %s: %w", toolDir, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName) // a no-op once renamed

	// -buildvcs=false: stamping the binary with VCS data needs git and
	// would fail in a checkout without it; nothing reads the stamp.
	cmd := exec.Command(goCmd, "build", "-buildvcs=false", "-o", tmpName, ".")
	cmd.Dir = dir
	// The tool is its own module; a go.work around the checkout must not
	// pull it into another build list.
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: go build: %w\n%s", toolDir, err, out)
	}
	if err := os.Rename(tmpName, bin); err != nil {
		if isFile(bin) { // Windows cannot replace a binary in use; it is there
			return bin, nil
		}
		return "", fmt.Errorf("build %s: %w", toolDir, err)
	}
	pruneStale(cacheDir, bin)
	return bin, nil
}

// toolKey hashes everything a build of the tool depends on: its go.mod,
// go.sum and Go sources, and the Go version and target platform.
func toolKey(goCmd, dir string) (string, error) {
	h := sha256.New()
	env, err := exec.Command(goCmd, "env", "GOVERSION", "GOOS", "GOARCH").Output()
	if err != nil {
		return "", fmt.Errorf("go env: %w", err)
	}
	h.Write(env)
	var files []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		name := d.Name()
		if !d.IsDir() && (name == "go.mod" || name == "go.sum" || strings.HasSuffix(name, ".go")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("read the tool's sources: %w", err)
	}
	if len(files) == 0 {
		return "", fmt.Errorf("no sources in %s", dir)
	}
	// WalkDir is lexical, so the order, and so the hash, is stable.
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("read the tool's sources: %w", err)
		}
		rel, _ := filepath.Rel(dir, f)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:20], nil
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// markUsed records a use of a cached build, so that pruneStale keeps it.
func markUsed(bin string) {
	now := time.Now()
	_ = os.Chtimes(bin, now, now)
}

// pruneStale removes cached builds of other versions of the tool that have
// not been used for staleAfter. Errors are ignored: a leftover file costs
// only disk space.
func pruneStale(cacheDir, keep string) {
	entries, err := os.ReadDir(cacheDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(cacheDir, e.Name())
		if p == keep || !strings.HasPrefix(e.Name(), "istio-validate-") || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err == nil && time.Since(info.ModTime()) > staleAfter {
			_ = os.Remove(p)
		}
	}
}
