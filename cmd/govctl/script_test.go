package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	cuecmd "cuelang.org/go/cmd/cue/cmd"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/govctl/govctl/internal/nacosfake"
)

var updateScripts = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"govctl": func() {
			os.Exit(run(os.Args[1:], &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
		},
		// cue is the real CUE command, for checking that `govctl schema`
		// gives plain cue the same constraints.
		"cue": func() { os.Exit(cuecmd.Main()) },
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script: each
// shows its input files, the commands and their exact output.
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join(root, "testdata", "script"),
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", root)
			env.Setenv("SHOP", filepath.Join(root, "examples", "shop"))
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"cpdir":          cmdCopyDir,
			"exitcode":       cmdExitCode,
			"nacosfake":      func(ts *testscript.TestScript, neg bool, args []string) { cmdNacosFake(t, ts, args) },
			"nacosedit":      cmdNacosEdit,
			"promfake":       func(ts *testscript.TestScript, neg bool, args []string) { cmdPromFake(t, ts, args) },
			"githubfake":     func(ts *testscript.TestScript, neg bool, args []string) { cmdGitHubFake(t, ts, args) },
			"githubcomments": cmdGitHubComments,
		},
	})
}

// cmdCopyDir copies a directory tree: cpdir SRC DST.
func cmdCopyDir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cpdir SRC DST")
	}
	src, dst := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
	ts.Check(err)
}

// fakes started by a script, keyed by the script's work dir.
var (
	fakesMu sync.Mutex
	fakes   = map[string]*nacosfake.Server{}
)

// cmdNacosFake starts the in-process Nacos fake and sets NACOS_URL:
// nacosfake [USER PASSWORD] (with credentials, auth is required).
func cmdNacosFake(t *testing.T, ts *testscript.TestScript, args []string) {
	opts := nacosfake.Options{}
	if len(args) == 2 {
		opts.Users = map[string]string{args[0]: args[1]}
		opts.RequireAuth = true
	}
	srv := nacosfake.New(t, opts)
	fakesMu.Lock()
	fakes[ts.Getenv("WORK")] = srv
	fakesMu.Unlock()
	ts.Setenv("NACOS_URL", strings.TrimSuffix(srv.Addr(), nacosfake.ContextPath))
}

// cmdNacosEdit changes an entry as a person in the Nacos console would:
// nacosedit NAMESPACE GROUP DATAID CONTENT.
func cmdNacosEdit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: nacosedit NAMESPACE GROUP DATAID CONTENT")
	}
	fakesMu.Lock()
	srv := fakes[ts.Getenv("WORK")]
	fakesMu.Unlock()
	if srv == nil {
		ts.Fatalf("nacosedit: no nacosfake started")
	}
	srv.ConsoleEdit(args[0], args[1], args[2], args[3])
}

// cmdPromFake starts a Prometheus API fake answering every instant query
// with one sample: promfake VALUE, or promfake empty / promfake 500.
func cmdPromFake(t *testing.T, ts *testscript.TestScript, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: promfake VALUE|empty|500")
	}
	answer := args[0]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch answer {
		case "500":
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"status":"error","errorType":"internal","error":"boom"}`)
		case "empty":
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
		default:
			fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,%q]}]}}`, answer)
		}
	}))
	t.Cleanup(srv.Close)
	ts.Setenv("PROM_URL", srv.URL)
}

// cmdExitCode runs a command and checks its exact exit status, for
// contracts such as plan --detailed-exitcode's 2: exitcode N CMD ARGS...
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// fakeComment is an issue comment held by the GitHub fake.
type fakeComment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
	User struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"user"`
	HTMLURL string `json:"html_url"`
}

// githubFake is a small in-process GitHub REST API: the token's user and
// one pull request's issue comments, as go-github calls them.
type githubFake struct {
	mu        sync.Mutex
	comments  []*fakeComment
	forbidden bool
}

var githubFakes sync.Map // work dir → *githubFake

// cmdGitHubFake starts the fake and sets GITHUB_API_URL: githubfake
// [forbidden]. PR acme/shop#7 starts with a person's comment that quotes
// the plan marker.
func cmdGitHubFake(t *testing.T, ts *testscript.TestScript, args []string) {
	f := &githubFake{forbidden: len(args) == 1 && args[0] == "forbidden"}
	human := &fakeComment{ID: 100, Body: "Looks good. The bot's comment starts with <!-- govctl:plan:shop -->, ignore it."}
	human.User.Login, human.User.Type = "carol", "User"
	f.comments = append(f.comments, human)
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	githubFakes.Store(ts.Getenv("WORK"), f)
	ts.Setenv("GITHUB_API_URL", srv.URL+"/api/v3/")
}

func (f *githubFake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Bearer test-token" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Bad credentials"}`)
		return
	}
	const comments = "/api/v3/repos/acme/shop/issues/7/comments"
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v3/user":
		fmt.Fprint(w, `{"login":"govctl-bot","type":"User"}`)
	case r.Method == http.MethodGet && r.URL.Path == comments:
		json.NewEncoder(w).Encode(f.comments)
	case f.forbidden:
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
	case r.Method == http.MethodPost && r.URL.Path == comments:
		var in fakeComment
		json.NewDecoder(r.Body).Decode(&in)
		c := &fakeComment{ID: int64(200 + len(f.comments)), Body: in.Body}
		c.User.Login, c.User.Type = "govctl-bot", "User"
		c.HTMLURL = fmt.Sprintf("https://github.example/acme/shop/pull/7#issuecomment-%d", c.ID)
		f.comments = append(f.comments, c)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(c)
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, "/api/v3/repos/acme/shop/issues/comments/"):
		id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/api/v3/repos/acme/shop/issues/comments/"), 10, 64)
		var in fakeComment
		json.NewDecoder(r.Body).Decode(&in)
		for _, c := range f.comments {
			if c.ID == id {
				c.Body = in.Body
				json.NewEncoder(w).Encode(c)
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
	}
}

// cmdGitHubComments prints the fake's comments, one line each: id, author
// and the first line of the body; githubcomments full prints each whole
// body after that line, as GitHub stores it.
func cmdGitHubComments(ts *testscript.TestScript, neg bool, args []string) {
	full := len(args) == 1 && args[0] == "full"
	v, ok := githubFakes.Load(ts.Getenv("WORK"))
	if !ok {
		ts.Fatalf("githubcomments: no githubfake started")
	}
	f := v.(*githubFake)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.comments {
		first, _, _ := strings.Cut(c.Body, "\n")
		fmt.Fprintf(ts.Stdout(), "%d %s %s\n", c.ID, c.User.Login, first)
		if full {
			fmt.Fprintf(ts.Stdout(), "%s\n", c.Body)
		}
	}
}
