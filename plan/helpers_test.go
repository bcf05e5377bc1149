package plan

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/govctl/govctl/render"
	"github.com/govctl/govctl/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testRender stands in for the real renderers, which plan must not import:
// per environment an Environment object (the resolved environment:
// approvals, reviewers, canary), and per service and environment the
// resolved service, a VirtualService-like object (Kubernetes identity,
// hosts, one route with the service's timeout) and its Nacos config entry.
func testRender(ctx context.Context, m *schema.Model) ([]render.Object, error) {
	var objs []render.Object
	for _, env := range m.EnvironmentNames() {
		r, err := m.Resolve(env)
		if err != nil {
			return nil, err
		}
		e := r.Environment
		objs = append(objs, render.Object{
			Target: render.TargetGitHub, Env: env, Path: env + "/environment.yaml",
			ID: render.Identity{Kind: "Environment", Name: env}, Source: e.Pos.File, Value: e,
		})
		for _, name := range r.ServiceNames() {
			svc := r.Services[name]
			objs = append(objs,
				render.Object{
					Target: render.TargetKratos, Env: env, Service: name, Path: env + "/services/" + name + ".yaml",
					ID: render.Identity{Kind: "Service", Namespace: e.Namespace, Name: name}, Source: svc.Source, Value: svc,
				},
				render.Object{
					Target: render.TargetIstio, Env: env, Service: name, Path: env + "/istio/" + name + ".yaml",
					ID:     render.Identity{APIVersion: "networking.istio.io/v1", Kind: "VirtualService", Namespace: e.Namespace, Name: name},
					Source: svc.Source, Value: testVirtualService(e, svc),
				})
			dataID := svc.Config.DataID
			if dataID == "" && len(svc.Config.Data) > 0 {
				dataID = name + ".yaml"
			}
			if dataID != "" {
				content, err := render.MarshalYAML(svc.Config.Data)
				if err != nil {
					return nil, err
				}
				group := svc.Config.Group
				if group == "" {
					group = m.Platform.ConfigCenter.Group
				}
				objs = append(objs, render.Object{
					Target: render.TargetNacos, Env: env, Service: name,
					Path:   env + "/nacos/" + e.Namespace + "/" + group + "/" + dataID,
					ID:     render.Identity{Kind: "ConfigEntry", Namespace: e.Namespace, Name: group + "/" + dataID},
					Source: svc.Source, Raw: content,
				})
			}
		}
	}
	return objs, nil
}

func testVirtualService(e *schema.Environment, svc *schema.Service) map[string]any {
	return map[string]any{
		"apiVersion": "networking.istio.io/v1",
		"kind":       "VirtualService",
		"metadata":   map[string]any{"name": svc.Name, "namespace": e.Namespace},
		"spec": map[string]any{
			"hosts": append([]string{svc.Name}, svc.Exposure.Hosts...),
			"http": []any{map[string]any{
				"timeout": string(svc.Timeout),
				"route": []any{map[string]any{
					"destination": map[string]any{"host": svc.Name, "subset": "stable"},
					"weight":      100,
				}},
			}},
		},
	}
}

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// gitRepo is a git repository in a temporary directory, with fixed
// identities and dates so that commit ids are the same on every run.
type gitRepo struct {
	t   *testing.T
	dir string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	return runGit(r.t, r.dir, args...)
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=govctl test", "GIT_AUTHOR_EMAIL=test@govctl.invalid",
		"GIT_COMMITTER_NAME=govctl test", "GIT_COMMITTER_EMAIL=test@govctl.invalid",
		"GIT_AUTHOR_DATE=2025-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2025-01-01T00:00:00Z",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *gitRepo) commit(msg string) {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
}

func (r *gitRepo) path(rel string) string { return filepath.Join(r.dir, filepath.FromSlash(rel)) }

func (r *gitRepo) write(rel, content string) {
	r.t.Helper()
	p := r.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *gitRepo) remove(rel string) {
	r.t.Helper()
	if err := os.Remove(r.path(rel)); err != nil {
		r.t.Fatal(err)
	}
}

// replace replaces old with new in a file, which must contain it once.
func (r *gitRepo) replace(rel, old, new string) {
	r.t.Helper()
	data, err := os.ReadFile(r.path(rel))
	if err != nil {
		r.t.Fatal(err)
	}
	if n := strings.Count(string(data), old); n != 1 {
		r.t.Fatalf("%s contains %q %d times, want once", rel, old, n)
	}
	r.write(rel, strings.Replace(string(data), old, new, 1))
}

// replaceRe replaces the one match of the regular expression re in a file
// with new ($1 expands), so that a fixture survives unrelated edits of
// examples/shop.
func (r *gitRepo) replaceRe(rel, re, new string) {
	r.t.Helper()
	data, err := os.ReadFile(r.path(rel))
	if err != nil {
		r.t.Fatal(err)
	}
	rx := regexp.MustCompile(re)
	if n := len(rx.FindAllIndex(data, -1)); n != 1 {
		r.t.Fatalf("%s matches %s %d times, want once", rel, re, n)
	}
	r.write(rel, rx.ReplaceAllString(string(data), new))
}

// lineOf is the 1-based line of the first line of a file containing s.
func (r *gitRepo) lineOf(rel, s string) int {
	r.t.Helper()
	data, err := os.ReadFile(r.path(rel))
	if err != nil {
		r.t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	r.t.Fatalf("%s has no line with %q", rel, s)
	return 0
}

// copyShop copies the .cue files of examples/shop to dst.
func copyShop(t *testing.T, dst string) {
	t.Helper()
	src := filepath.Join("..", "examples", "shop")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Ext(p) != ".cue" {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func loadModel(t *testing.T, dir string) *schema.Model {
	t.Helper()
	m, err := schema.Load(context.Background(), dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return m
}

func report(t *testing.T, r Reporter, p *Plan) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Report(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fieldLine is a field diff in one line, as version 1 of the text plan
// printed it: "~ path: old → new", "+ path: new", "- path: old".
func fieldLine(f FieldDiff) string {
	path := f.Path
	if path == "" {
		path = "(content)"
	}
	switch f.Op {
	case FieldAdd:
		return "+ " + path + ": " + scalarText(f.After)
	case FieldRemove:
		return "- " + path + ": " + scalarText(f.Before)
	}
	return "~ " + path + ": " + scalarText(f.Before) + " → " + scalarText(f.After)
}

// riskOf is the risk of an object change: its cause's in its environment.
func riskOf(o *ObjectChange) Risk {
	if o.Cause == nil {
		return ""
	}
	if r, ok := o.Cause.Risks[o.Env]; ok {
		return r
	}
	return o.Cause.Risk
}

// shopPullRequest commits examples/shop (after base, when given) on main,
// makes change on a branch "change" and commits it, as a pull request
// would; it returns the repository and the head's model.
func shopPullRequest(t *testing.T, base, change func(*gitRepo)) (*gitRepo, *schema.Model) {
	t.Helper()
	r := newGitRepo(t)
	copyShop(t, r.path("specs"))
	if base != nil {
		base(r)
	}
	r.commit("shop")
	r.git("checkout", "-q", "-b", "change")
	change(r)
	r.commit("change")
	return r, loadModel(t, r.path("specs"))
}
