package plan

import (
	"context"
	"fmt"

	"github.com/govctl/govctl/render"
)

// compare matches desired and baseline objects by identity and returns the
// object changes, unsorted. wantContents are the desired objects' contents
// (readContents), in the same order; baseContents, when set, the baseline
// objects' where the baseline knew them (contentBaseline).
func compare(ctx context.Context, desired []render.Object, wantContents []content, base []render.Object, baseContents []*content) ([]ObjectChange, error) {
	want, err := prepare(desired, wantContents)
	if err != nil {
		return nil, fmt.Errorf("plan: desired objects: %w", err)
	}
	haveContents, err := readContents(ctx, base, baseContents, wantContents)
	if err != nil {
		return nil, err
	}
	have, err := prepare(base, haveContents)
	if err != nil {
		return nil, fmt.Errorf("plan: baseline objects: %w", err)
	}
	byKey := make(map[string]item, len(have))
	for _, it := range have {
		byKey[it.key] = it
	}

	var changes []ObjectChange
	matched := make(map[string]bool, len(want))
	for _, w := range want {
		h, ok := byKey[w.key]
		if !ok {
			changes = append(changes, newChange(ActionCreate, w, w.tree(), nil))
			continue
		}
		matched[w.key] = true
		if w.content.sameAs(h.content) {
			continue // the same bytes: the same tree
		}
		fields := diffTrees(h.tree(), w.tree())
		if len(fields) == 0 {
			continue
		}
		ch := newChange(ActionUpdate, w, w.tree(), h.tree())
		ch.Fields = fields
		changes = append(changes, ch)
	}
	for _, h := range have {
		if !matched[h.key] {
			changes = append(changes, newChange(ActionDelete, h, nil, h.tree()))
		}
	}
	return changes, ctx.Err()
}

func newChange(a Action, it item, after, before any) ObjectChange {
	o := it.obj
	return ObjectChange{
		Action:  a,
		Target:  o.Target,
		Env:     o.Env,
		Service: o.Service,
		ID:      o.ID,
		Name:    it.name,
		Path:    o.Path,
		Before:  before,
		After:   after,
	}
}
