// Package templates holds what `govctl init` writes: a small, valid
// platform spec to grow from.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"text/template"
)

//go:embed all:platform
var files embed.FS

// Data fills the templates.
type Data struct {
	// Name is the platform name, a DNS label.
	Name string
	// Module is the CUE module path written to cue.mod/module.cue.
	Module string
}

// Scaffold returns the files of a new platform, keyed by slash-separated
// path relative to the platform directory, with templates executed.
func Scaffold(d Data) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(files, "platform", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		src, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "platform/"), ".tmpl")
		t, err := template.New(path.Base(p)).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return fmt.Errorf("template %s: %w", p, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return fmt.Errorf("template %s: %w", p, err)
		}
		out[name] = b.Bytes()
		return nil
	})
	return out, err
}

// Paths returns the scaffold's file paths, sorted.
func Paths(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
