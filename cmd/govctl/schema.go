package main

import (
	"os"
	"path/filepath"

	"cuelang.org/go/cue/parser"
	"github.com/spf13/cobra"

	"github.com/govctl/govctl/schema"
)

func newSchemaCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	var pkg string
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the embedded schema as a CUE file of the spec's package",
		Long: `Schema prints the schema govctl unifies every spec with, as a file of the
spec's own package (read from the spec dir, or --package), so that plain
cue vet / cue export and editors apply the same constraints and defaults.
govctl skips this file when it loads a spec, so it is safe to keep it there.`,
		Example: `  govctl schema > schema.cue && cue vet ./...
  govctl schema --package platform`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if pkg == "" {
				pkg = specPackage(g.Dir)
			}
			_, err := io.Out.Write(schema.Source(pkg))
			return err
		},
	}
	cmd.Flags().StringVar(&pkg, "package", "", "package clause to print (default: the spec dir's package, else platform)")
	return cmd
}

// specPackage returns the package of the first .cue file directly in dir,
// or the default package name.
func specPackage(dir string) string {
	matches, _ := filepath.Glob(filepath.Join(dir, "*.cue"))
	for _, p := range matches {
		src, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(p, src, parser.PackageClauseOnly)
		if err == nil && f.PackageName() != "" {
			return f.PackageName()
		}
	}
	return schema.DefaultPackage
}
