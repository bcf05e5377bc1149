// Package rules is govctl's built-in lint rule catalog: Rego v1 files, each
// with a METADATA block and a _test.rego beside it, embedded in the binary.
// Package lint loads and runs them; this package only carries the files.
package rules

import (
	"embed"
	"io/fs"
)

//go:embed *.rego
var files embed.FS

// FS holds the catalog's *.rego files (rules and their tests) at its root.
var FS fs.FS = files
