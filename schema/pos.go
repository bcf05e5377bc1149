package schema

import "github.com/govctl/govctl/internal/diag"

// Pos is a position in a spec file: diag.Pos, under the name the model's
// users know.
type Pos = diag.Pos
