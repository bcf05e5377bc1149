package targets

import (
	"bytes"
	"context"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/config"
	"github.com/go-kratos/kratos/v2/config/file"
	"github.com/google/go-cmp/cmp"
	"github.com/rhysd/actionlint"

	"github.com/govctl/govctl/internal/istiovalidate"
	"github.com/govctl/govctl/internal/testutil"
	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/render/kratos/conf"
)

// scaleServices is the size of the platform TestGeneratedPlatformAtScale
// checks: large enough for name collisions, shared overlays and long
// dependency chains to show, small enough for every go test run.
const scaleServices = 300

// TestGeneratedPlatformAtScale renders a generated 300-service platform
// and has every target's owner check the result, as the examples/shop
// tests do for a handful of services: Istio's own validation accepts every
// Istio object, every Kratos bootstrap loads and scans into conf.Bootstrap
// unchanged, every workflow passes actionlint, rendering twice gives the
// same bytes, and lint finds nothing at error severity.
func TestGeneratedPlatformAtScale(t *testing.T) {
	ctx := context.Background()
	m := testutil.LoadGenerated(t, scaleServices)
	envs := m.EnvironmentNames()
	objs, err := Render(ctx, m, envs, generatedOptions())
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.EncodeObjects(objs)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("deterministic", func(t *testing.T) {
		again, err := Render(ctx, m, envs, generatedOptions())
		if err != nil {
			t.Fatal(err)
		}
		files2, err := render.EncodeObjects(again)
		if err != nil {
			t.Fatal(err)
		}
		if len(files2) != len(files) {
			t.Fatalf("second render: %d files, first %d", len(files2), len(files))
		}
		for i := range files {
			if files[i].Path != files2[i].Path || !bytes.Equal(files[i].Data, files2[i].Data) {
				t.Errorf("%s: second render differs", files[i].Path)
			}
		}
	})

	t.Run("istio", func(t *testing.T) {
		dir := t.TempDir()
		var want []render.Object
		for _, o := range objs {
			if o.Target == render.TargetIstio {
				want = append(want, o)
			}
		}
		for _, f := range files {
			if f.Target == render.TargetIstio {
				writeFile(t, dir, f)
			}
		}
		res := istiovalidate.ExpectValid(t, dir)
		if res.Valid != len(want) {
			t.Errorf("istio-validate found %d valid objects, rendered %d", res.Valid, len(want))
		}
	})

	t.Run("kratos", func(t *testing.T) {
		byPath := map[string]conf.Bootstrap{}
		for _, o := range objs {
			if o.Target == render.TargetKratos {
				byPath[o.Path] = o.Value.(conf.Bootstrap)
			}
		}
		dir := t.TempDir()
		viaFile := map[string]bool{}
		n := 0
		for _, f := range files {
			if f.Target != render.TargetKratos {
				continue
			}
			n++
			// One file per environment goes through Kratos's file source,
			// as a service reads it; the rest through an in-memory source
			// with the same key and format, which skips the file watcher
			// (inotify) a file source starts and keeps the test fast.
			var src config.Source = memorySource{key: path.Base(f.Path), data: f.Data}
			if !viaFile[f.Env] {
				viaFile[f.Env] = true
				src = file.NewSource(writeFile(t, dir, f))
			}
			c := config.New(config.WithSource(src))
			if err := c.Load(); err != nil {
				t.Errorf("%s: kratos config load: %v", f.Path, err)
				c.Close()
				continue
			}
			var got conf.Bootstrap
			if err := c.Scan(&got); err != nil {
				t.Errorf("%s: kratos config scan: %v", f.Path, err)
			} else if diff := cmp.Diff(byPath[f.Path], got); diff != "" {
				t.Errorf("%s: scanned bootstrap differs from the rendered one (-rendered +scanned):\n%s", f.Path, diff)
			}
			c.Close()
		}
		if want := scaleServices * len(envs); n != want {
			t.Errorf("%d kratos files, want %d", n, want)
		}
	})

	t.Run("actionlint", func(t *testing.T) {
		// Without shellcheck: the run: scripts come from the templates the
		// examples/shop test checks with shellcheck; at 300 services it
		// would take half a minute of the test budget.
		var out bytes.Buffer
		linter, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range files {
			if f.Target != render.TargetGitHub {
				continue
			}
			n++
			errs, err := linter.Lint(f.Path, f.Data, nil)
			if err != nil {
				t.Fatalf("actionlint %s: %v", f.Path, err)
			}
			for _, e := range errs {
				t.Errorf("actionlint: %s", e)
			}
		}
		if n < scaleServices {
			t.Errorf("%d workflows, want one per service at least", n)
		}
		if t.Failed() {
			t.Logf("actionlint output:\n%s", out.String())
		}
	})

	t.Run("lint", func(t *testing.T) {
		res, err := lint.Lint(ctx, m, lint.Options{
			Now:     time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
			Objects: objs,
			FailOn:  lint.SeverityError,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Skipped) > 0 {
			t.Errorf("rules not run: %v", res.Skipped)
		}
		if res.Failed() {
			for _, f := range res.Findings {
				if f.Severity == lint.SeverityError && !f.Suppressed {
					t.Errorf("%s: %s: %s", f.Pos, f.RuleID, f.Message)
				}
			}
			t.Error("lint fails at --fail-on error")
		}
	})
}

func writeFile(t *testing.T, dir string, f render.File) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(f.Path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, f.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// memorySource is a Kratos config source holding one file's bytes.
type memorySource struct {
	key  string
	data []byte
}

func (s memorySource) Load() ([]*config.KeyValue, error) {
	return []*config.KeyValue{{Key: s.key, Value: s.data, Format: strings.TrimPrefix(path.Ext(s.key), ".")}}, nil
}

func (s memorySource) Watch() (config.Watcher, error) {
	return &idleWatcher{stop: make(chan struct{})}, nil
}

// idleWatcher reports no change until stopped.
type idleWatcher struct{ stop chan struct{} }

func (w *idleWatcher) Next() ([]*config.KeyValue, error) {
	<-w.stop
	return nil, context.Canceled
}

func (w *idleWatcher) Stop() error {
	close(w.stop)
	return nil
}
