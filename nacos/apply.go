package nacos

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	rnacos "github.com/govctl/govctl/render/nacos"
)

// How govctl knows what it last applied: the ownership marker in each
// config's description (ManagedDesc; render/nacos writes the same marker into
// the import bundle). The write is a compare-and-swap on the live md5
// (casMd5 header), so an edit between the read and the write fails the write
// instead of being overwritten. The server overwrites desc on every publish
// (updateConfigInfoAtomicCas sets c_desc).

// Action is what apply did, or in a dry run would do, with one entry.
type Action string

// The actions of a Result.
const (
	// ActionCreated: the config did not exist and was created.
	ActionCreated Action = "created"
	// ActionUpdated: the config was govctl's (or adopted) and was rewritten.
	ActionUpdated Action = "updated"
	// ActionUnchanged: the live config already is the desired one.
	ActionUnchanged Action = "unchanged"
	// ActionConflict: the live config was changed outside govctl, or is not
	// govctl's; it was left as it is.
	ActionConflict Action = "conflict"
	// ActionFailed: reading or writing the config failed; see Result.Err.
	ActionFailed Action = "failed"
	// ActionSkipped: not attempted, because apply stopped at a failure.
	ActionSkipped Action = "skipped"
)

// ApplyOptions tunes Apply.
type ApplyOptions struct {
	// DryRun reads live state and reports what would happen, writing
	// nothing.
	DryRun bool
	// Adopt lets govctl take over configs that exist without its marker
	// (created in the console or by another tool). Without it they are
	// conflicts.
	Adopt bool
	// Concurrency bounds the entries worked on at once; 4 when zero.
	Concurrency int
}

// Result is the outcome for one entry.
type Result struct {
	Key    Key    `json:"key"`
	Action Action `json:"action"`
	// Reason says why, in a sentence fit for a terminal or a PR comment.
	Reason string `json:"reason,omitempty"`
	// DesiredMD5 is the md5 of the rendered content.
	DesiredMD5 string `json:"desiredMd5"`
	// LiveMD5 is the md5 found on the server before writing; empty when
	// the config did not exist or could not be read.
	LiveMD5 string `json:"liveMd5,omitempty"`
	// Changed are the config keys whose values differ between the live and
	// the desired content of an updated entry, as paths below config.data
	// (db.password), sorted: a report names them and never shows a value.
	// Empty when the live content does not read back in the entry's type.
	Changed []string `json:"changed,omitempty"`
	// Err is the error behind a failed result.
	Err error `json:"-"`
}

// Report is the outcome of Apply, one result per entry, sorted by key.
type Report struct {
	DryRun  bool     `json:"dryRun"`
	Results []Result `json:"results"`
}

// Count returns how many results have action a.
func (r Report) Count(a Action) int {
	n := 0
	for _, res := range r.Results {
		if res.Action == a {
			n++
		}
	}
	return n
}

// Written lists the keys apply wrote to the server (created or updated); it
// is empty for a dry run.
func (r Report) Written() []Key {
	if r.DryRun {
		return nil
	}
	var keys []Key
	for _, res := range r.Results {
		if res.Action == ActionCreated || res.Action == ActionUpdated {
			keys = append(keys, res.Key)
		}
	}
	return keys
}

// ErrConflict is matched (errors.Is) by the error of an Apply that found at
// least one conflict.
var ErrConflict = errors.New("nacos: configs changed outside govctl")

// ApplyError is returned by Apply, with the full report, when an entry is
// in conflict, failed or was skipped. It unwraps to ErrConflict when there
// are conflicts and to the first failure's error when there are failures.
type ApplyError struct {
	// Conflicts, Failed and Skipped count the results with those actions.
	Conflicts, Failed, Skipped int
	// FirstFailure is the error of the first failed entry in key order.
	FirstFailure error
}

// Error implements error with the counts and the first failure.
func (e *ApplyError) Error() string {
	var parts []string
	if e.Conflicts > 0 {
		parts = append(parts, fmt.Sprintf("%d in conflict", e.Conflicts))
	}
	if e.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", e.Failed))
	}
	if e.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d not attempted", e.Skipped))
	}
	s := "nacos apply: " + strings.Join(parts, ", ")
	if e.FirstFailure != nil {
		s += ": " + e.FirstFailure.Error()
	}
	return s
}

// Unwrap exposes ErrConflict and the first failure to errors.Is/As.
func (e *ApplyError) Unwrap() []error {
	var errs []error
	if e.Conflicts > 0 {
		errs = append(errs, ErrConflict)
	}
	if e.FirstFailure != nil {
		errs = append(errs, e.FirstFailure)
	}
	return errs
}

// Apply makes the entries live on store with compare-and-swap semantics and
// reports, per entry, what it did. It never overwrites a config edited
// outside govctl since govctl last applied it, nor (unless opts.Adopt) one
// govctl did not create: those are conflicts, reported and left alone.
//
// A failure (a server error after the client's retries, an auth error)
// stops apply: entries not yet started are reported as skipped, entries in
// flight finish, so the report says exactly which entries were written.
// Stopping rather than pressing on keeps a sick server from taking a burst
// of writes, and costs nothing: a re-run finds the written entries
// unchanged and converges. Conflicts do not stop apply.
//
// The error is nil when every entry is created, updated or unchanged, an
// *ApplyError otherwise; the report is complete in both cases. Invalid or
// duplicate entries are rejected before anything is read or written.
func Apply(ctx context.Context, store ConfigStore, entries []Entry, opts ApplyOptions) (Report, error) {
	rep := Report{DryRun: opts.DryRun}
	sorted := make([]Entry, len(entries))
	for i, e := range entries {
		e.Namespace = NormalizeNamespace(e.Namespace)
		if err := e.Validate(); err != nil {
			return rep, err
		}
		sorted[i] = e
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Key().Less(sorted[j].Key()) })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Key() == sorted[i-1].Key() {
			return rep, fmt.Errorf("nacos apply: entry %s appears twice", sorted[i].Key())
		}
	}

	limit := opts.Concurrency
	if limit <= 0 {
		limit = 4
	}
	results := make([]Result, len(sorted))
	var stop atomic.Bool
	skipped := func(e Entry) Result {
		return Result{Key: e.Key(), Action: ActionSkipped, DesiredMD5: e.MD5, Reason: "not attempted: apply stopped after an earlier failure"}
	}
	var g errgroup.Group
	g.SetLimit(limit)
	for i, e := range sorted {
		if stop.Load() {
			results[i] = skipped(e)
			continue
		}
		g.Go(func() error {
			if stop.Load() {
				results[i] = skipped(e)
				return nil
			}
			results[i] = applyOne(ctx, store, e, opts)
			if results[i].Action == ActionFailed {
				stop.Store(true)
			}
			return nil
		})
	}
	_ = g.Wait() // the workers never return errors; failures live in results
	rep.Results = results

	aerr := &ApplyError{}
	for _, r := range results {
		switch r.Action {
		case ActionConflict:
			aerr.Conflicts++
		case ActionFailed:
			aerr.Failed++
			if aerr.FirstFailure == nil {
				aerr.FirstFailure = r.Err
			}
		case ActionSkipped:
			aerr.Skipped++
		}
	}
	if aerr.Conflicts+aerr.Failed+aerr.Skipped > 0 {
		return rep, aerr
	}
	return rep, nil
}

// applyOne reads, decides and (unless a dry run) writes one entry.
func applyOne(ctx context.Context, store ConfigStore, e Entry, opts ApplyOptions) Result {
	res := Result{Key: e.Key(), DesiredMD5: e.MD5}
	failed := func(err error) Result {
		res.Action, res.Err, res.Reason = ActionFailed, err, err.Error()
		return res
	}
	if err := ctx.Err(); err != nil {
		return failed(err)
	}
	live, found, err := store.Get(ctx, e.Key())
	if err != nil {
		return failed(err)
	}
	if !found {
		res.Action, res.Reason = ActionCreated, "new config"
		if opts.DryRun {
			return res
		}
		return write(ctx, store, e, ExpectAbsent, res)
	}
	res.LiveMD5 = live.MD5
	applied, managed := ParseManagedDesc(live.Desc)
	switch {
	case !managed && !opts.Adopt:
		res.Action = ActionConflict
		res.Reason = "exists but was not created by govctl"
		if live.MD5 == e.MD5 {
			res.Reason += " (its content already matches)"
		}
		res.Reason += "; adopt it to let govctl manage it"
		return res
	case managed && live.MD5 != applied && live.MD5 != e.MD5:
		res.Action = ActionConflict
		res.Reason = fmt.Sprintf("edited outside govctl since govctl applied it (govctl wrote md5 %s, live md5 is %s); "+
			"bring the change into the spec or revert it in the console", applied, live.MD5)
		return res
	case managed && applied == e.MD5 && live.MD5 == e.MD5 && live.Type == e.Type:
		res.Action, res.Reason = ActionUnchanged, ""
		return res
	}
	res.Action = ActionUpdated
	switch {
	case !managed:
		res.Reason = "adopted: govctl takes over a config it did not create"
	case live.MD5 != applied:
		// Edited outside govctl, but to exactly the desired content:
		// nothing is lost by recording govctl's ownership again.
		res.Reason = "content already matches (edited outside govctl); ownership marker refreshed"
	case live.MD5 != e.MD5:
		res.Reason = "content changed"
		res.Changed = changedKeys(e.Type, live.Content, e.Content)
	default:
		res.Reason = fmt.Sprintf("type changed from %q to %q", live.Type, e.Type)
	}
	if opts.DryRun {
		return res
	}
	return write(ctx, store, e, live.MD5, res)
}

// write publishes e conditionally on casMD5 and settles res. A CAS failure
// is read back before it is called a conflict: when this very write
// already landed (the client retried a publish whose answer was lost), the
// config now holds exactly e with govctl's marker, and that is success.
func write(ctx context.Context, store ConfigStore, e Entry, casMD5 string, res Result) Result {
	err := store.Publish(ctx, e, casMD5, ManagedDesc(e.MD5))
	if err == nil {
		return res
	}
	if !errors.Is(err, ErrCASConflict) {
		res.Action, res.Err, res.Reason = ActionFailed, err, err.Error()
		return res
	}
	again, found, gerr := store.Get(ctx, e.Key())
	if gerr == nil && found && again.MD5 == e.MD5 && again.Type == e.Type {
		if md5, ok := ParseManagedDesc(again.Desc); ok && md5 == e.MD5 {
			return res
		}
	}
	res.Action = ActionConflict
	if casMD5 == ExpectAbsent {
		res.Reason = "created by someone else between govctl's read and write (compare-and-swap failed); left as it is"
	} else {
		res.Reason = fmt.Sprintf("changed by someone else between govctl's read and write (compare-and-swap on md5 %s failed); left as it is", casMD5)
	}
	if found {
		res.LiveMD5 = again.MD5
	}
	return res
}

// changedKeys lists the keys whose values differ between two contents of
// an entry: added, removed or changed.
func changedKeys(typ, before, after string) []string {
	old, ok := rnacos.ContentFields(typ, before)
	if !ok {
		return nil
	}
	new, ok := rnacos.ContentFields(typ, after)
	if !ok {
		return nil
	}
	var keys []string
	for k, v := range new {
		if prev, found := old[k]; !found || prev != v {
			keys = append(keys, k)
		}
	}
	for k := range old {
		if _, found := new[k]; !found {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
