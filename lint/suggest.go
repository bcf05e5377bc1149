package lint

import (
	"slices"

	"github.com/govctl/govctl/internal/fieldpath"
	"github.com/govctl/govctl/schema"
)

// posOf is where the user set the field at a path from the spec root, or
// the nearest enclosing field.
func posOf(m *schema.Model, path fieldpath.Path) schema.Pos {
	p, _ := m.PosOf(path)
	return p
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// parsePath reads a field path a rule reports; a path that does not parse
// is taken as one field name, so its finding still lands near the field.
func parsePath(s string) fieldpath.Path {
	if s == "" {
		return nil
	}
	p, err := fieldpath.Parse(s)
	if err != nil {
		return fieldpath.New(s)
	}
	return p
}
