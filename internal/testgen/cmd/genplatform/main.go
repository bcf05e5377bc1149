// Command genplatform writes a generated platform spec directory, for
// measuring govctl at monorepo scale:
//
//	go run ./internal/testgen/cmd/genplatform -services 1000 -seed 1 -out /tmp/p1000
//	govctl validate --dir /tmp/p1000
//
// It refuses a non-empty -out directory unless -force is given; with
// -force it first removes the .cue files under it (the generator owns the
// whole spec), leaving other files alone. -schema also writes the schema
// as schema.cue (what `govctl schema` prints), so that plain `cue vet` and
// `cue export` can read the directory; govctl skips that file.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/govctl/govctl/internal/testgen"
	"github.com/govctl/govctl/schema"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "genplatform:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("genplatform", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var (
		opts    testgen.Options
		out     string
		layout  string
		force   bool
		withCUE bool
	)
	fl.IntVar(&opts.Services, "services", 100, "number of services")
	fl.Int64Var(&opts.Seed, "seed", 1, "random seed; the same seed gives the same files")
	fl.StringVar(&opts.Name, "name", testgen.DefaultName, "platform name (a DNS label)")
	fl.Float64Var(&opts.OverlayShare, "overlays", testgen.DefaultOverlayShare, "share of services with env overlays (negative: none)")
	fl.StringVar(&layout, "layout", "service", "files: service (services/<group>/<name>.cue), group (services/<group>.cue) or single (services.cue)")
	fl.StringVar(&out, "out", "", "spec directory to write (required)")
	fl.BoolVar(&force, "force", false, "write into a non-empty directory, removing its .cue files first")
	fl.BoolVar(&withCUE, "schema", false, "also write the govctl schema as schema.cue, for plain cue vet / cue export")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	if out == "" {
		return errors.New("-out is required")
	}
	switch layout {
	case "service":
		opts.Layout = testgen.LayoutFilePerService
	case "group":
		opts.Layout = testgen.LayoutFilePerGroup
	case "single":
		opts.Layout = testgen.LayoutSingleFile
	default:
		return fmt.Errorf("-layout %q: want service, group or single", layout)
	}
	if err := prepare(out, force); err != nil {
		return err
	}
	if err := testgen.Write(out, opts); err != nil {
		return err
	}
	if withCUE {
		if err := os.WriteFile(filepath.Join(out, "schema.cue"), schema.Source(schema.DefaultPackage), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "wrote %d services to %s\n", opts.Services, out)
	return nil
}

// prepare makes sure out is empty or, with force, holds no .cue files.
func prepare(out string, force bool) error {
	entries, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	if !force {
		return fmt.Errorf("%s is not empty; use -force to replace the spec in it", out)
	}
	return filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Ext(p) == ".cue" {
			return os.Remove(p)
		}
		return nil
	})
}
