package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/govctl/govctl/lint"
	"github.com/govctl/govctl/schema"
)

// lintArgs are lint's positional arguments as the user meant them.
type lintArgs struct {
	// Dir is the spec directory an argument named, "" when none did.
	Dir string
	// Files are the files to report on.
	Files []string
}

// parseLintArgs reads lint's arguments: a first argument that is a
// directory is the spec directory (as for validate); every other argument
// is a file that must exist.
func parseLintArgs(args []string, dirFlagSet bool, dirFlag string) (lintArgs, error) {
	var out lintArgs
	for i, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return lintArgs{}, fmt.Errorf("lint %s: no such file or directory", a)
		}
		if !st.IsDir() {
			out.Files = append(out.Files, a)
			continue
		}
		if i > 0 {
			return lintArgs{}, fmt.Errorf("lint %s: a directory is the spec directory and comes first (lint DIR [files...]); name files inside it one by one", a)
		}
		if dirFlagSet && filepath.Clean(a) != filepath.Clean(dirFlag) {
			return lintArgs{}, fmt.Errorf("lint %s: --dir names the spec directory %s already; give it once", a, dirFlag)
		}
		out.Dir = a
	}
	return out, nil
}

// specFiles splits files into those that are part of the spec in m (a
// spec .cue file or a custom policy under policies/) and the others, named
// as the user gave them.
func specFiles(m *schema.Model, files []string) (part, skipped []string) {
	absDir, err := filepath.Abs(m.Dir)
	if err != nil {
		return files, nil
	}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			skipped = append(skipped, f)
			continue
		}
		rel, err := filepath.Rel(absDir, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			skipped = append(skipped, f)
			continue
		}
		rel = filepath.ToSlash(rel)
		isPolicy := strings.HasPrefix(rel, lint.PolicyDir+"/") && strings.HasSuffix(rel, ".rego")
		if slices.Contains(m.Files, rel) || isPolicy {
			part = append(part, f)
			continue
		}
		skipped = append(skipped, f)
	}
	return part, skipped
}
