package lint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/govctl/govctl/internal/diag"
	"github.com/govctl/govctl/schema"
)

// TestOptions control a run of Rego tests.
type TestOptions struct {
	// Filter runs only the tests whose package-qualified name matches this
	// regular expression (as `opa test --run`).
	Filter string
	// Timeout bounds each test; 5s when zero.
	Timeout time.Duration
}

// TestResult is the outcome of one Rego test.
type TestResult struct {
	// Package is the test's package as OPA prints it (data.x.y_test).
	Package string `json:"package"`
	Name    string `json:"name"`
	// File and Line are where the test is, File as the caller named the
	// directory joined with the file name.
	File string `json:"file"`
	Line int    `json:"line"`
	Fail bool   `json:"fail,omitempty"`
	Skip bool   `json:"skip,omitempty"`
	// Error is the evaluation error, if the test did not finish.
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration"`
	// Output is what the test printed (print()).
	Output string `json:"output,omitempty"`
}

// Passed reports whether the test ran and succeeded.
func (t TestResult) Passed() bool { return !t.Fail && !t.Skip && t.Error == "" }

// Test runs the *_test.rego tests of the policies in dir, as `govctl test
// policies/` does: compiled in the same sandbox as lint, with
// data.govctl.params holding every rule's default parameters (a test
// sets others with `with data.govctl.params as ...`). A policy that does
// not parse or compile is returned as *diag.List; failing tests are
// results, not errors. Results are sorted by file and line.
func Test(ctx context.Context, dir string, opts TestOptions) ([]TestResult, error) {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("test %s: no such directory: nothing to test", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("test %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("test %s: not a directory", dir)
	}
	return TestFS(ctx, os.DirFS(dir), dir, opts)
}

// TestFS is Test over the *.rego files at the root of fsys; dir is how
// messages and results name that directory.
func TestFS(ctx context.Context, fsys fs.FS, dir string, opts TestOptions) ([]TestResult, error) {
	set, errs := loadFS(fsys, "", false)
	if len(errs) > 0 {
		return nil, (&diag.List{Dir: dir, Diags: errs}).Err()
	}
	if len(set.files) == 0 {
		// Not a pass: a directory without policies tested nothing, and a
		// wrong directory in CI must not look like a green run.
		return nil, fmt.Errorf("test %s: no *.rego files here: nothing to test, 0 tests ran (a spec's policies live in its %s/ directory)", dir, PolicyDir)
	}
	modules := map[string]*ast.Module{}
	params := map[string]any{}
	for _, f := range set.files {
		modules[f.name] = f.module
	}
	for _, r := range set.rules {
		values := make([]ParamValue, len(r.Params))
		for i, p := range r.Params {
			values[i] = ParamValue{Param: p, Value: p.Default}
		}
		params[r.ID] = paramsDocument(values)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	compiler := ast.NewCompiler().WithCapabilities(Capabilities()).WithDefaultRegoVersion(ast.RegoV1).WithEnablePrintStatements(true)
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetDefaultRegoVersion(ast.RegoV1).
		SetStore(inmem.NewFromObject(map[string]any{"govctl": map[string]any{"params": normalize(params)}})).
		SetModules(modules).
		SetTimeout(timeout).
		CapturePrintOutput(true).
		Filter(opts.Filter)
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return nil, (&diag.List{Dir: dir, Diags: regoErrors(err)}).Err()
	}
	var out []TestResult
	for r := range ch {
		t := TestResult{Package: r.Package, Name: r.Name, Fail: r.Fail, Skip: r.Skip, Duration: r.Duration, Output: string(r.Output)}
		if r.Location != nil {
			t.File, t.Line = schema.Pos{File: r.Location.File}.In(dir).File, r.Location.Row
		}
		if r.Error != nil {
			t.Error = r.Error.Error()
		}
		out = append(out, t)
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}

// WriteTestResults prints results as `opa test` does: failures (and with
// verbose every test, grouped by file), then PASS/FAIL/SKIPPED/ERROR
// counts. It returns whether every test that ran passed.
func WriteTestResults(w io.Writer, results []TestResult, verbose bool) (bool, error) {
	var pass, fail, skip, errs int
	ew := &errWriter{w: w}
	file := ""
	for _, t := range results {
		switch {
		case t.Skip:
			skip++
		case t.Error != "":
			errs++
		case t.Fail:
			fail++
		default:
			pass++
		}
		if !verbose && (t.Passed() || t.Skip) {
			continue
		}
		if t.File != file {
			if file != "" {
				ew.printf("\n")
			}
			file = t.File
			ew.printf("%s:\n", file)
		}
		switch {
		case t.Skip:
			ew.printf("%s.%s: SKIPPED\n", t.Package, t.Name)
		case t.Error != "":
			ew.printf("%s.%s: ERROR (%s)\n  %s\n", t.Package, t.Name, t.Duration, t.Error)
		case t.Fail:
			ew.printf("%s.%s: FAIL (%s)\n", t.Package, t.Name, t.Duration)
		default:
			ew.printf("%s.%s: PASS (%s)\n", t.Package, t.Name, t.Duration)
		}
		if t.Output != "" && (verbose || !t.Passed()) {
			ew.printf("\n  %s\n", strings.ReplaceAll(strings.TrimRight(t.Output, "\n"), "\n", "\n  "))
		}
	}
	total := len(results)
	if file != "" {
		ew.printf("%s\n", strings.Repeat("-", 80))
	}
	if total == 0 {
		ew.printf("no tests found\n")
	}
	for _, c := range []struct {
		label string
		n     int
	}{{"PASS", pass}, {"FAIL", fail}, {"SKIPPED", skip}, {"ERROR", errs}} {
		if c.n > 0 {
			ew.printf("%s: %d/%d\n", c.label, c.n, total)
		}
	}
	return fail == 0 && errs == 0, ew.err
}

// errWriter keeps the first write error, so report code can write
// unconditionally and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
