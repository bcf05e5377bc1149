package lint

import (
	"slices"

	"github.com/govctl/govctl/schema"
)

// posOf is where the user set the field at a path from the spec root, or
// the nearest enclosing field.
func posOf(m *schema.Model, path string) schema.Pos {
	p, _ := m.PosOf(path)
	return p
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
