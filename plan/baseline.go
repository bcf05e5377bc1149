package plan

import (
	"context"

	"github.com/govctl/govctl/render"
)

// Baseline is what a plan compares the desired objects with.
type Baseline interface {
	// Describe names the baseline in reports and errors, e.g.
	// "origin/main (1a2b3c4)" or "directory deploy/".
	Describe() string
	// Covers reports whether the baseline can hold o at all. Desired
	// objects it cannot hold (lint-rule pseudo-objects for a directory,
	// anything but config entries for a Nacos server) are left out of the
	// plan rather than shown as created.
	Covers(o render.Object) bool
	// Objects returns the baseline's objects. desired are the desired
	// objects the baseline covers; a baseline that cannot list what it
	// holds by itself (a config centre shared with other tools) uses them
	// to know where to look, the others ignore them.
	Objects(ctx context.Context, desired []render.Object) ([]render.Object, error)
}

// conflictReporter is implemented by baselines that know why applying a
// change would be refused (a Nacos entry edited in the console).
type conflictReporter interface {
	conflict(env, name string) string
}

// contentBaseline is implemented by baselines that read the desired
// objects' content to know what they hold (a directory identifies its
// documents by them). Compute has encoded and read it already and passes
// it on, in the order of desired, so that it is not done twice. Besides
// the objects, they return the content of each where they know it
// without encoding the object (an unchanged document), else nil.
type contentBaseline interface {
	objectsWithContents(ctx context.Context, desired []render.Object, contents []content) ([]render.Object, []*content, error)
}
