package kratos_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-kratos/kratos/v2/config"
	"github.com/go-kratos/kratos/v2/config/file"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/google/go-cmp/cmp"

	"github.com/govctl/govctl/render/kratos/conf"
)

// TestRenderedBootstrapLoadsIntoKratos writes every rendered config.yaml of
// examples/shop and loads it the way a Kratos service does: config.New with
// a file source, Load, Scan into conf.Bootstrap. The file must have no key
// conf.Bootstrap lacks (a typo Kratos would silently ignore) and must lose
// nothing on the way (a key Kratos would not read).
func TestRenderedBootstrapLoadsIntoKratos(t *testing.T) {
	objs, files := renderFiles(t, loadShop(t))
	byPath := map[string]conf.Bootstrap{}
	for _, o := range objs {
		byPath[o.Path] = o.Value.(conf.Bootstrap)
	}
	dir := t.TempDir()
	for _, f := range files {
		t.Run(f.Path, func(t *testing.T) {
			p := filepath.Join(dir, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			c := config.New(config.WithSource(file.NewSource(p)))
			defer c.Close()
			if err := c.Load(); err != nil {
				t.Fatalf("kratos config load: %v", err)
			}

			var got conf.Bootstrap
			if err := c.Scan(&got); err != nil {
				t.Fatalf("kratos config scan: %v", err)
			}
			want, ok := byPath[f.Path]
			if !ok {
				t.Fatalf("no object rendered at %s", f.Path)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("scanned bootstrap differs from the rendered one (-rendered +scanned):\n%s", diff)
			}

			var loaded map[string]any
			if err := c.Scan(&loaded); err != nil {
				t.Fatalf("kratos config scan into a map: %v", err)
			}
			data, err := json.Marshal(loaded)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(new(conf.Bootstrap)); err != nil {
				t.Errorf("loaded config has a key conf.Bootstrap does not know: %v", err)
			}
		})
	}
}

// TestMain keeps Kratos' global logger, which config.Load writes its debug
// lines to, at warnings and above.
func TestMain(m *testing.M) {
	log.SetLogger(log.NewFilter(log.GetLogger(), log.FilterLevel(log.LevelWarn)))
	os.Exit(m.Run())
}
