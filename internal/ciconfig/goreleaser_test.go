package ciconfig

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// goreleaserConfig is the part of .goreleaser.yaml these tests read;
// `goreleaser check` validates the whole file against GoReleaser's schema.
type goreleaserConfig struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		ID      string     `yaml:"id"`
		Main    string     `yaml:"main"`
		Binary  string     `yaml:"binary"`
		Env     stringList `yaml:"env"`
		Goos    []string   `yaml:"goos"`
		Goarch  []string   `yaml:"goarch"`
		Flags   stringList `yaml:"flags"`
		Ldflags stringList `yaml:"ldflags"`
		Ignore  []target   `yaml:"ignore"`
		Skip    any        `yaml:"skip"`
	} `yaml:"builds"`
	Archives []struct {
		Formats         stringList       `yaml:"formats"`
		FormatOverrides []formatOverride `yaml:"format_overrides"`
		Files           []yaml.Node      `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
	Snapshot struct {
		VersionTemplate string `yaml:"version_template"`
	} `yaml:"snapshot"`
}

// target is an os/arch pair, as in builds[].ignore.
type target struct {
	Goos   string `yaml:"goos"`
	Goarch string `yaml:"goarch"`
}

// formatOverride is an archive format for one os.
type formatOverride struct {
	Goos    string     `yaml:"goos"`
	Formats stringList `yaml:"formats"`
}

func readGoreleaser(t *testing.T) *goreleaserConfig {
	t.Helper()
	var c goreleaserConfig
	if err := yaml.Unmarshal(readRootFile(t, ".goreleaser.yaml"), &c); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if c.Version != 2 {
		t.Fatalf(".goreleaser.yaml: version %d, want 2 (GoReleaser v2 schema)", c.Version)
	}
	if len(c.Builds) != 1 {
		t.Fatalf(".goreleaser.yaml: %d builds, want 1 (govctl)", len(c.Builds))
	}
	return &c
}

func TestGoreleaserBuildsGovctlForEveryTarget(t *testing.T) {
	b := readGoreleaser(t).Builds[0]
	if main := filepath.ToSlash(filepath.Clean(b.Main)); main != "cmd/govctl" {
		t.Errorf("builds[0].main is %q, want ./cmd/govctl", b.Main)
	}
	if b.Binary != "govctl" {
		t.Errorf("builds[0].binary is %q, want govctl", b.Binary)
	}
	if b.Skip != nil {
		t.Errorf("builds[0].skip is set: the release would have no binaries")
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("builds[0].env %q lacks CGO_ENABLED=0: binaries would need the build machine's libc, and cross builds fail", b.Env)
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("builds[0].flags %q lacks -trimpath", b.Flags)
	}

	var got []string
	for _, goos := range b.Goos {
		for _, goarch := range b.Goarch {
			ignored := slices.ContainsFunc(b.Ignore, func(i target) bool {
				return (i.Goos == "" || i.Goos == goos) && (i.Goarch == "" || i.Goarch == goarch)
			})
			if !ignored {
				got = append(got, goos+"/"+goarch)
			}
		}
	}
	slices.Sort(got)
	want := []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}
	if !slices.Equal(got, want) {
		t.Errorf("builds[0] targets %q, want %q", got, want)
	}
}

func TestGoreleaserPackagesAndChecksums(t *testing.T) {
	c := readGoreleaser(t)
	if len(c.Archives) != 1 {
		t.Fatalf("%d archives, want 1", len(c.Archives))
	}
	a := c.Archives[0]
	if !slices.Equal(a.Formats, []string{"tar.gz"}) {
		t.Errorf("archives[0].formats %q, want [tar.gz]", a.Formats)
	}
	windowsZip := slices.ContainsFunc(a.FormatOverrides, func(o formatOverride) bool {
		return o.Goos == "windows" && slices.Equal(o.Formats, []string{"zip"})
	})
	if !windowsZip {
		t.Error("archives[0] does not override the format to zip on windows")
	}
	var files []string
	for _, f := range a.Files {
		// A file is a glob or a mapping with src.
		if f.Kind == yaml.ScalarNode {
			files = append(files, f.Value)
		} else if src := lookup(&f, "src"); src != nil {
			files = append(files, src.Value)
		}
	}
	if !slices.Contains(files, "README.md") {
		t.Errorf("archives[0].files %q lacks README.md", files)
	}
	if c.Checksum.Algorithm != "sha256" || c.Checksum.NameTemplate != "checksums.txt" {
		t.Errorf("checksum is %s into %q, want sha256 into checksums.txt", c.Checksum.Algorithm, c.Checksum.NameTemplate)
	}
	if c.Snapshot.VersionTemplate == "" {
		t.Error("no snapshot.version_template")
	}
}

// TestGoreleaserLdflagsSetVersionGoVariables fails when the -X flags and
// the variables in cmd/govctl/version.go drift apart: the linker silently
// ignores -X for a variable that does not exist, and a release would print
// "(devel)".
func TestGoreleaserLdflagsSetVersionGoVariables(t *testing.T) {
	declared, err := linkerSetVariables(filepath.Join(repoRoot, "cmd", "govctl", "version.go"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"commit", "date", "version"}; !slices.Equal(declared, want) {
		t.Errorf("cmd/govctl/version.go declares %q for -X, want %q (what govctl version prints)", declared, want)
	}

	b := readGoreleaser(t).Builds[0]
	set, err := ldflagsVariables(b.Ldflags)
	if err != nil {
		t.Fatalf(".goreleaser.yaml builds[0].ldflags: %v", err)
	}
	var names []string
	for name, value := range set {
		names = append(names, name)
		if !strings.Contains(value, "{{") {
			t.Errorf("ldflags set main.%s to the fixed %q, not a template such as {{.Version}}", name, value)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, declared) {
		t.Errorf(".goreleaser.yaml ldflags set main.%s, but cmd/govctl/version.go declares %q", names, declared)
	}
	joined := strings.Join(b.Ldflags, " ")
	for _, flag := range []string{"-s", "-w"} {
		if !slices.Contains(strings.Fields(joined), flag) {
			t.Errorf("ldflags %q lack %s", joined, flag)
		}
	}
}

// linkerSetVariables returns the names in the parenthesised var block of a
// Go file whose variables are all strings (the only kind -X can set),
// sorted: in version.go, `var ( version = ""; commit = ""; date = "" )`.
func linkerSetVariables(path string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var blocks [][]string
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.VAR || !gen.Lparen.IsValid() {
			continue
		}
		var names []string
		allStrings := true
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			if !isStringSpec(vs) {
				allStrings = false
			}
			for _, n := range vs.Names {
				names = append(names, n.Name)
			}
		}
		if allStrings && len(names) > 0 {
			slices.Sort(names)
			blocks = append(blocks, names)
		}
	}
	if len(blocks) != 1 {
		return nil, fmt.Errorf("%s: %d var ( … ) blocks of strings, want the one that -X sets", path, len(blocks))
	}
	return blocks[0], nil
}

// isStringSpec reports whether a var spec declares strings: typed string,
// or initialised with string literals.
func isStringSpec(vs *ast.ValueSpec) bool {
	if vs.Type != nil {
		id, ok := vs.Type.(*ast.Ident)
		return ok && id.Name == "string"
	}
	if len(vs.Values) == 0 {
		return false
	}
	for _, v := range vs.Values {
		lit, ok := v.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return false
		}
	}
	return true
}

// xFlag is one -X main.name=value in ldflags, as a separate word
// (-X main.name=value) or joined (-X=main.name=value).
var xFlag = regexp.MustCompile(`^-{1,2}X(?:=(.*))?$`)

// ldflagsVariables returns the variables of package main that ldflags set
// with -X, and their values.
func ldflagsVariables(ldflags []string) (map[string]string, error) {
	var words []string
	for _, l := range ldflags {
		words = append(words, strings.Fields(l)...)
	}
	set := map[string]string{}
	for i := 0; i < len(words); i++ {
		m := xFlag.FindStringSubmatch(words[i])
		if m == nil {
			continue
		}
		arg := m[1]
		if arg == "" {
			if i+1 == len(words) {
				return nil, fmt.Errorf("-X without an argument")
			}
			i++
			arg = words[i]
		}
		name, value, ok := strings.Cut(arg, "=")
		if !ok {
			return nil, fmt.Errorf("-X %s: want importpath.name=value", arg)
		}
		dot := strings.LastIndex(name, ".")
		if dot < 0 || name[:dot] != "main" {
			return nil, fmt.Errorf("-X %s: sets a variable outside package main", strconv.Quote(arg))
		}
		variable := name[dot+1:]
		if _, dup := set[variable]; dup {
			return nil, fmt.Errorf("-X sets main.%s twice", variable)
		}
		set[variable] = value
	}
	return set, nil
}

func TestLdflagsVariables(t *testing.T) {
	tests := []struct {
		ldflags []string
		want    map[string]string
		err     bool
	}{
		{[]string{"-s -w -X main.version={{.Version}} -X main.commit={{.Commit}}"}, map[string]string{"version": "{{.Version}}", "commit": "{{.Commit}}"}, false},
		{[]string{"-s", "-X=main.date={{.Date}}"}, map[string]string{"date": "{{.Date}}"}, false},
		{[]string{"-X main.version=1 -X main.version=2"}, nil, true},
		{[]string{"-X github.com/govctl/govctl/internal/v.version=1"}, nil, true},
		{[]string{"-X"}, nil, true},
	}
	for _, tt := range tests {
		got, err := ldflagsVariables(tt.ldflags)
		if (err != nil) != tt.err {
			t.Errorf("ldflagsVariables(%q): error %v, want error %v", tt.ldflags, err, tt.err)
			continue
		}
		if err == nil && fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("ldflagsVariables(%q) = %v, want %v", tt.ldflags, got, tt.want)
		}
	}
}

func TestLinkerSetVariablesFollowsRenames(t *testing.T) {
	tests := []struct {
		src  string
		want []string
		err  bool
	}{
		{"package main\n\nvar (\n\tversion = \"\"\n\tcommit  = \"\"\n\tdate    = \"\"\n)\n", []string{"commit", "date", "version"}, false},
		{"package main\n\nvar (\n\tversion   = \"\"\n\tgitCommit string\n\tdate      = \"\"\n)\n\nvar errX = 1\n", []string{"date", "gitCommit", "version"}, false},
		{"package main\n\nvar version = \"\"\n", nil, true},
	}
	for i, tt := range tests {
		path := filepath.Join(t.TempDir(), "version.go")
		if err := os.WriteFile(path, []byte(tt.src), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := linkerSetVariables(path)
		if (err != nil) != tt.err || !slices.Equal(got, tt.want) {
			t.Errorf("case %d: linkerSetVariables = %q, %v; want %q, error %v", i, got, err, tt.want, tt.err)
		}
	}
}
