package conf_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestConfImportsOnlyTheStandardLibrary keeps render/kratos/conf standard
// library only: the kit module imports it, and a non-standard import here
// would pull govctl's dependencies (CUE, OPA …) into every service on kit.
func TestConfImportsOnlyTheStandardLibrary(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.GoFiles) == 0 {
		t.Fatal("no Go files found in render/kratos/conf")
	}
	for _, imp := range pkg.Imports {
		// A standard-library import path has no dot in its first element.
		first, _, _ := strings.Cut(imp, "/")
		if strings.Contains(first, ".") {
			t.Errorf("render/kratos/conf imports %s; it must import only the standard library (kit depends on it)", imp)
		}
	}
}
