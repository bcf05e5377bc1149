package plan

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gitPlan(t *testing.T, specDir, ref string) (*Plan, error) {
	t.Helper()
	m := loadModel(t, specDir)
	return Compute(context.Background(), Options{Model: m, Render: testRender, Baseline: NewGitBaseline(specDir, ref, testRender)})
}

func TestGitBaselineDoesNotTouchTheWorkTreeOrIndex(t *testing.T) {
	r := newGitRepo(t)
	copyShop(t, r.path("specs"))
	r.commit("shop")
	r.replace("specs/services/users.cue", `timeout: "180ms"`, `timeout: "250ms"`)
	r.write("specs/services/search.cue", searchService)
	r.git("add", "specs/services/search.cue") // staged, not committed

	status := r.git("status", "--porcelain")
	index, err := os.ReadFile(r.path(".git/index"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := gitPlan(t, r.path("specs"), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Summary(); c.Add == 0 || c.Change == 0 {
		t.Errorf("got %+v, want the staged service created and the edited one changed", c)
	}
	if got := r.git("status", "--porcelain"); got != status {
		t.Errorf("git status changed:\n%s\nwant\n%s", got, status)
	}
	after, err := os.ReadFile(r.path(".git/index"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(index, after) {
		t.Error("the index was rewritten")
	}
	if got := r.git("stash", "list"); got != "" {
		t.Errorf("stash list: %q", got)
	}
}

func TestGitBaselineDescribesTheResolvedCommit(t *testing.T) {
	r := newGitRepo(t)
	copyShop(t, r.path("specs"))
	r.commit("shop")
	head := r.git("rev-parse", "HEAD")
	b := NewGitBaseline(r.path("specs"), "main", testRender)
	if _, err := b.Objects(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if b.Commit() != head || b.Describe() != "main ("+head[:7]+")" {
		t.Errorf("Commit() = %s, Describe() = %q; want %s", b.Commit(), b.Describe(), head)
	}
}

func TestGitBaselineAtTheRepositoryRoot(t *testing.T) {
	r := newGitRepo(t)
	copyShop(t, r.dir)
	r.commit("shop")
	r.replace("environments/environments.cue", "approvals: 2", "approvals: 1")
	p, err := gitPlan(t, r.dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Risk != RiskHigh || !strings.Contains(p.Changes[0].Reason, "approvals lowered 2 → 1 in prod") || len(p.Changes[0].Objects) != 1 {
		t.Errorf("got\n%s", report(t, &TextReporter{}, p))
	}
}

func TestGitBaselineWithoutTheSpecDirPlansEverythingAsCreated(t *testing.T) {
	r := newGitRepo(t)
	r.write("README.md", "shop\n")
	r.commit("readme")
	copyShop(t, r.path("specs"))
	r.commit("specs")
	p, err := gitPlan(t, r.path("specs"), "HEAD~1")
	if err != nil {
		t.Fatal(err)
	}
	c := p.Summary()
	if c.Add == 0 || c.Change != 0 || c.Destroy != 0 {
		t.Errorf("got %+v, want only creates", c)
	}
	for _, ch := range p.Objects {
		if ch.Action != ActionCreate {
			t.Errorf("%s: %s", ch.Name, ch.Action)
		}
	}
}

func TestGitBaselineWithInvalidSpecsNamesTheRef(t *testing.T) {
	r := newGitRepo(t)
	copyShop(t, r.path("specs"))
	r.replace("specs/services/users.cue", `timeout: "180ms"`, `timeout: "soon"`)
	r.commit("broken")
	r.git("checkout", "-q", "-b", "fix")
	r.replace("specs/services/users.cue", `timeout: "soon"`, `timeout: "180ms"`)
	r.commit("fix")

	_, err := gitPlan(t, r.path("specs"), "main")
	var invalid *InvalidBaseSpecsError
	if !errors.As(err, &invalid) {
		t.Fatalf("got %v, want *InvalidBaseSpecsError", err)
	}
	msg := err.Error()
	for _, want := range []string{"the specs at main:specs are invalid", "main:specs/services/users.cue:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not contain %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, os.TempDir()) {
		t.Errorf("error names the temporary directory:\n%s", msg)
	}
}

func TestGitBaselineShallowCloneWithoutTheRefSaysToFetchHistory(t *testing.T) {
	r := newGitRepo(t)
	copyShop(t, r.path("specs"))
	r.commit("one")
	r.replace("specs/services/users.cue", `timeout: "180ms"`, `timeout: "250ms"`)
	r.commit("two")
	clone := filepath.Join(t.TempDir(), "clone")
	runGit(t, r.dir, "clone", "-q", "--depth", "1", "file://"+r.dir, clone)

	_, err := gitPlan(t, filepath.Join(clone, "specs"), "HEAD~1")
	var shallow *ShallowCloneError
	if !errors.As(err, &shallow) {
		t.Fatalf("got %v, want *ShallowCloneError", err)
	}
	for _, want := range []string{"fetch-depth: 0", "git fetch --unshallow", `"HEAD~1"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q: %v", want, err)
		}
	}
}

func TestGitBaselineUnknownRef(t *testing.T) {
	r := newGitRepo(t)
	copyShop(t, r.path("specs"))
	r.commit("one")
	for _, ref := range []string{"origin/main", "--output=/tmp/x"} {
		_, err := gitPlan(t, r.path("specs"), ref)
		if err == nil || !strings.Contains(err.Error(), ref) {
			t.Errorf("%s: got %v, want an error naming the ref", ref, err)
		}
	}
}

func TestGitBaselineOutsideARepository(t *testing.T) {
	specs := t.TempDir()
	copyShop(t, specs)
	if _, err := os.Stat(filepath.Join(specs, ".git")); err == nil {
		t.Skip("temporary directory is inside a git repository")
	}
	_, err := gitPlan(t, specs, "main")
	if err == nil || !strings.Contains(err.Error(), "not in a git repository") {
		t.Fatalf("got %v", err)
	}
}
