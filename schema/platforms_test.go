package schema

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestNestedPlatformIsNeverMergedIntoItsParent: a directory with its own
// cue.mod is a platform of its own; loading its parent leaves it out (its
// platform name and services would conflict with the parent's, blamed on
// the wrong file).
func TestNestedPlatformIsNeverMergedIntoItsParent(t *testing.T) {
	other := strings.Replace(testPlatform, `name: "demo"`, `name: "other"`, 1)
	dir := writeSpec(t, map[string]string{
		"platform.cue":                   testPlatform,
		"services.cue":                   "package platform\n\nservices: a: {owner: \"t\", image: \"ghcr.io/x/a\", version: \"v1\"}\n",
		"teams/other/cue.mod/module.cue": "module: \"example.com/other@v0\"\nlanguage: version: \"v0.9.0\"\n",
		"teams/other/platform.cue":       other,
		"teams/other/services.cue":       "package platform\n\nservices: b: {owner: 7}\n",
	})
	m, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatalf("load parent: %v", err)
	}
	if m.Platform.Name != "demo" || len(m.Services) != 1 {
		t.Errorf("parent loaded platform %q with %d services, want demo with 1", m.Platform.Name, len(m.Services))
	}
	if _, err := Load(context.Background(), filepath.Join(dir, "teams", "other")); err == nil || !strings.Contains(err.Error(), "services.b.owner") {
		t.Errorf("load nested platform: err = %v, want its own error at services.b.owner", err)
	}
}

// TestRootOfSeveralPlatformsNamesThemAndAsksForDir: a directory holding no
// spec of its own, only platforms below it, says which to pass to --dir.
func TestRootOfSeveralPlatformsNamesThemAndAsksForDir(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"README.md":                 "specs\n",
		"shop/cue.mod/module.cue":   "module: \"example.com/shop@v0\"\n",
		"shop/platform.cue":         testPlatform,
		"market/cue.mod/module.cue": "module: \"example.com/market@v0\"\n",
		"market/platform.cue":       testPlatform,
		"empty/cue.mod/module.cue":  "module: \"example.com/empty@v0\"\n",
	})
	_, err := Load(context.Background(), dir)
	want := "no spec here, only platforms below it (each directory with its own cue.mod is a platform of its own): " +
		filepath.Join(dir, "market") + ", " + filepath.Join(dir, "shop") + "; name one with --dir, e.g. --dir " + filepath.Join(dir, "market")
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v\nwant it to say %q", err, want)
	}
}
