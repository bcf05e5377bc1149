package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRefusesNonEmptyDirWithoutForce(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"-services", "5", "-out", dir}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("run into a non-empty dir: err = %v, want one that suggests -force", err)
	}
}

func TestForceReplacesTheSpecAndKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	if err := run([]string{"-services", "30", "-seed", "1", "-out", dir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-services", "5", "-seed", "1", "-out", dir, "-force", "-schema"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var services int
	filepath.WalkDir(filepath.Join(dir, "services"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			services++
		}
		return nil
	})
	if services != 5 {
		t.Errorf("%d service files after regenerating 5 services, want 5 (stale ones removed)", services)
	}
	for _, name := range []string{"notes.txt", "schema.cue", "govctl.cue"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
