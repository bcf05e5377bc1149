package plan

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/fatih/color"
	"github.com/rogpeppe/go-internal/diff"

	"github.com/govctl/govctl/internal/secret"
	"github.com/govctl/govctl/render"
)

// DiffOptions tune Diff.
type DiffOptions struct {
	// Scope is the part of the output compared, as for render.Write: only
	// files it owns are shown as pruned. Every object must be inside it.
	Scope render.Scope
	// Overwrite treats files in the way that govctl did not write as
	// files to update (render --overwrite); without it they are an error,
	// as they would be for render.
	Overwrite bool
	// Color colours added, removed and hunk lines for a terminal.
	Color bool
	// Redact, when set, hides the sensitive values of a file's two
	// versions (nil for a side that does not exist) before they are
	// diffed; a file whose versions differ only in what Redact hid is
	// still shown as changed.
	Redact func(path string, old, new []byte) (oldOut, newOut []byte)
}

// DiffResult is what Diff found.
type DiffResult struct {
	// Created, Updated and Pruned are the files that differ, by what a
	// render would do to them, each sorted.
	Created, Updated, Pruned []string
	// ManifestChanged reports that the ownership manifest would be
	// rewritten (it is not shown in the diff).
	ManifestChanged bool
}

// HasChanges reports whether a render would change the output directory.
func (r DiffResult) HasChanges() bool {
	return len(r.Created)+len(r.Updated)+len(r.Pruned) > 0 || r.ManifestChanged
}

// Diff writes to w a unified diff of outDir against what rendering objs
// into it would leave there (`govctl diff --out DIR`): every file a render
// would create, update or prune, in path order, as `diff a/<path>
// b/<path>` sections (/dev/null for a file that does not exist on that
// side). Binary files are named, not shown. The bytes come from
// render.Check, so the diff is exactly what render.Write would do. The diff itself is the Go
// project's anchored (patience-style) diff, as vendored by
// github.com/rogpeppe/go-internal/diff.
func Diff(ctx context.Context, w io.Writer, outDir string, objs []render.Object, opts DiffOptions) (DiffResult, error) {
	res, err := render.Check(ctx, outDir, objs, render.WriteOptions{Scope: opts.Scope, Overwrite: opts.Overwrite})
	if err != nil {
		return DiffResult{}, err
	}
	out := DiffResult{ManifestChanged: res.ManifestChanged}
	bw := bufio.NewWriter(w)
	for _, c := range res.Changes {
		oldName, newName := "a/"+c.Path, "b/"+c.Path
		switch c.Kind {
		case render.ChangeCreate:
			oldName = "/dev/null"
			out.Created = append(out.Created, c.Path)
		case render.ChangePrune:
			newName = "/dev/null"
			out.Pruned = append(out.Pruned, c.Path)
		default:
			out.Updated = append(out.Updated, c.Path)
		}
		if isBinary(c.Old) || isBinary(c.New) {
			fmt.Fprintf(bw, "diff %s %s\nBinary files %s and %s differ\n", oldName, newName, oldName, newName)
			continue
		}
		before, after := c.Old, c.New
		if opts.Redact != nil {
			before, after = opts.Redact(c.Path, before, after)
			if bytes.Equal(before, after) {
				fmt.Fprintf(bw, "diff %s %s\nSensitive values of %s and %s differ: %s\n", oldName, newName, oldName, newName, secret.Changed)
				continue
			}
		}
		writeUnified(bw, diff.Diff(oldName, before, newName, after), opts.Color)
	}
	if err := bw.Flush(); err != nil {
		return out, err
	}
	return out, nil
}

func isBinary(b []byte) bool {
	return bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b)
}

// writeUnified copies a unified diff, colouring it when asked.
func writeUnified(w io.Writer, d []byte, colored bool) {
	if !colored {
		w.Write(d)
		return
	}
	header := color.New(color.Bold)
	hunk := color.New(color.FgCyan)
	add := color.New(color.FgGreen)
	del := color.New(color.FgRed)
	for _, c := range []*color.Color{header, hunk, add, del} {
		c.EnableColor()
	}
	for _, line := range strings.SplitAfter(string(d), "\n") {
		if line == "" {
			continue
		}
		text, nl := strings.CutSuffix(line, "\n")
		switch {
		case strings.HasPrefix(text, "diff "), strings.HasPrefix(text, "--- "), strings.HasPrefix(text, "+++ "):
			header.Fprint(w, text)
		case strings.HasPrefix(text, "@@"):
			hunk.Fprint(w, text)
		case strings.HasPrefix(text, "+"):
			add.Fprint(w, text)
		case strings.HasPrefix(text, "-"):
			del.Fprint(w, text)
		default:
			io.WriteString(w, text)
		}
		if nl {
			io.WriteString(w, "\n")
		}
	}
}
