package diag

import (
	"errors"
	"fmt"
	"testing"

	"github.com/govctl/govctl/internal/fieldpath"
)

func TestDiagnosticErrorNamesPositionPathRelatedAndEnvironments(t *testing.T) {
	d := &Diagnostic{
		Pos:          Pos{File: "services/orders.cue", Line: 12, Column: 3},
		Path:         fieldpath.New("services", "orders", "timeout"),
		Message:      "must be a duration",
		Related:      []Pos{{File: "platform.cue", Line: 2, Column: 1}},
		Environments: []string{"prod", "staging"},
	}
	want := "services/orders.cue:12:3: services.orders.timeout: must be a duration (see also platform.cue:2:1) [in prod, staging]"
	if got := d.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	w := &Diagnostic{Severity: Warning, Pos: Pos{File: "a.cue"}, Message: "x"}
	if got := w.Error(); got != "a.cue: warning: x" {
		t.Errorf("warning: %s", got)
	}
}

func TestErrorfFormats(t *testing.T) {
	d := Errorf(Pos{File: "a.cue", Line: 1, Column: 2}, fieldpath.New("x"), "want %d", 3)
	if d.Error() != "a.cue:1:2: x: want 3" || d.Severity != Error {
		t.Errorf("got %q", d.Error())
	}
}

func TestListErrIsNilWhenEmpty(t *testing.T) {
	var l List
	if err := l.Err(); err != nil {
		t.Fatalf("empty list: %v", err)
	}
}

func TestListSortsByPositionAndMergesEnvironments(t *testing.T) {
	p := fieldpath.New("services", "orders", "timeout")
	l := &List{Dir: "spec"}
	l.Add(
		&Diagnostic{Pos: Pos{File: "b.cue", Line: 1, Column: 1}, Message: "later"},
		&Diagnostic{Pos: Pos{File: "a.cue", Line: 3, Column: 5}, Path: p, Message: "bad", Environments: []string{"staging"}},
		&Diagnostic{Pos: Pos{File: "a.cue", Line: 3, Column: 5}, Path: p, Message: "bad", Environments: []string{"dev"}},
		&Diagnostic{Pos: Pos{File: "a.cue", Line: 3, Column: 5}, Path: p, Message: "bad", Environments: []string{"prod"}},
		&Diagnostic{Pos: Pos{File: "a.cue", Line: 2, Column: 9}, Message: "dup"},
		&Diagnostic{Pos: Pos{File: "a.cue", Line: 2, Column: 9}, Message: "dup"},
	)
	err := l.Err()
	want := "spec/a.cue:2:9: dup\n" +
		"spec/a.cue:3:5: services.orders.timeout: bad [in dev, prod, staging]\n" +
		"spec/b.cue:1:1: later"
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
	if l.Len() != 3 {
		t.Errorf("Len = %d, want 3", l.Len())
	}
}

func TestAsFindsDiagnosticsThroughWrapsAndJoins(t *testing.T) {
	l := &List{Dir: "spec", Diags: []*Diagnostic{{Pos: Pos{File: "a.cue", Line: 1}, Message: "one", Related: []Pos{{File: "b.cue", Line: 2}}}}}
	single := Errorf(Pos{File: "c.cue", Line: 4}, nil, "two")
	err := fmt.Errorf("render: %w", errors.Join(fmt.Errorf("istio: %w", l), errors.New("plain"), single))
	ds := As(err)
	if len(ds) != 2 {
		t.Fatalf("As found %d diagnostics, want 2", len(ds))
	}
	if ds[0].Pos.File != "spec/a.cue" || ds[0].Related[0].File != "spec/b.cue" {
		t.Errorf("list positions not joined to Dir: %+v", ds[0])
	}
	if l.Diags[0].Pos.File != "a.cue" {
		t.Errorf("As modified the list: %+v", l.Diags[0])
	}
	if ds[1] != single {
		t.Errorf("second = %v", ds[1])
	}
	if As(errors.New("plain")) != nil {
		t.Error("a plain error holds no diagnostics")
	}
	if !Is(err) || Is(errors.New("x")) {
		t.Error("Is wrong")
	}
}

func TestPosInKeepsAbsoluteFiles(t *testing.T) {
	if got := (Pos{File: "/abs/x.cue", Line: 1}).In("spec"); got.File != "/abs/x.cue" {
		t.Errorf("got %s", got.File)
	}
	if got := (Pos{File: "x.cue", Line: 1}).In("../spec"); got.File != "../spec/x.cue" {
		t.Errorf("got %s", got.File)
	}
}

func TestDidYouMean(t *testing.T) {
	if got := DidYouMean("servics", []string{"platform", "services", "environments"}); got != `; did you mean "services"?` {
		t.Errorf("got %q", got)
	}
	if got := DidYouMean("b", []string{"a"}); got != "" {
		t.Errorf("one-letter names: got %q", got)
	}
	if got := DidYouMean("zzzzzz", []string{"platform"}); got != "" {
		t.Errorf("got %q", got)
	}
}

func TestSeverityString(t *testing.T) {
	var zero Severity
	if zero.String() != "error" || Warning.String() != "warning" || Info.String() != "info" {
		t.Error("severity names")
	}
}
