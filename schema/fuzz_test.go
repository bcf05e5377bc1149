package schema

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/govctl/govctl/internal/diag"
)

// FuzzLoad feeds arbitrary bytes as a service file next to a valid
// platform. Load must return a model or an error, never panic, and every
// spec error must carry a position in a user file.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("../examples/shop/services/*.cue")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("package platform\nservices: a: {owner: \"t\", image: \"i\", version: \"v\", replcias: 2}"))
	f.Add([]byte("package platform\nservices: \"../x\": {}"))
	f.Add([]byte("package platform\nservices: a: env: qa: replicas: 1"))
	f.Add([]byte("package platform\nservices: a: dependencies: a: {}"))
	f.Add([]byte("package platform\nx: [for a in x {a}]"))
	f.Add([]byte("package platform\nplatform: name: platform.name + \"x\""))
	f.Add([]byte("package other\n"))
	f.Add([]byte("\xff\xfe"))
	f.Add([]byte("package platform\nimport \"strings\"\nservices: a: owner: strings.Repeat(\"x\", 3)"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "govctl.cue"), []byte(testPlatform), 0o644)
		os.WriteFile(filepath.Join(dir, "fuzz.cue"), data, 0o644)
		type result struct {
			m   *Model
			err error
		}
		done := make(chan result, 1)
		go func() {
			m, err := Load(context.Background(), dir)
			done <- result{m, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("Load did not finish in 20s on:\n%s", data)
		}
		m, err := r.m, r.err
		if err != nil {
			if list, ok := err.(*diag.List); ok {
				for _, e := range list.Diags {
					if e.Pos.File == "" {
						t.Errorf("spec error without a file: %v", e)
					}
				}
			}
			return
		}
		for _, env := range m.EnvironmentNames() {
			if _, err := m.Resolve(env); err != nil {
				t.Errorf("loaded model fails to resolve %s: %v", env, err)
			}
		}
	})
}
