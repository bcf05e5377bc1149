package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/govctl/govctl/internal/atomicfile"
	"github.com/govctl/govctl/templates"
)

var dnsLabel = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)

// InitOptions are the inputs of govctl init.
type InitOptions struct {
	IO     *IOStreams
	Dir    string
	Name   string
	Module string
	Force  bool
	Quiet  bool
}

func newInitCmd(g *GlobalOptions, io *IOStreams) *cobra.Command {
	opts := &InitOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "init [dir]",
		Short: "Scaffold a new platform spec",
		Long: `Init writes a small, valid platform into dir (default: --dir): govctl.cue,
environments/, one service under services/ and cue.mod/. It refuses to
overwrite an existing file unless --force is given, and writes nothing when
it refuses.`,
		Example: `  govctl init my-platform
  govctl init . --name shop --force`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = g.Dir
			if len(args) > 0 {
				opts.Dir = args[0]
			}
			opts.Quiet = g.Quiet
			return initRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "platform name (default: the directory's name)")
	cmd.Flags().StringVar(&opts.Module, "module", "", "CUE module path (default: example.com/<name>)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite existing files")
	return cmd
}

func initRun(opts *InitOptions) error {
	abs, err := filepath.Abs(opts.Dir)
	if err != nil {
		return err
	}
	name := opts.Name
	if name == "" {
		name = strings.ToLower(filepath.Base(abs))
	}
	if !dnsLabel.MatchString(name) {
		from := "--name"
		if opts.Name == "" {
			from = fmt.Sprintf("the directory name (%s)", filepath.Base(abs))
		}
		msg := fmt.Sprintf("platform name %q from %s is not valid: a platform name is a DNS label: lowercase letters, digits and '-', starting with a letter, at most 63 characters", name, from)
		if s := suggestLabel(name); s != "" {
			msg += fmt.Sprintf("; e.g. --name %s", s)
		}
		return errors.New(msg)
	}
	module := opts.Module
	if module == "" {
		module = "example.com/" + name
	}
	files, err := templates.Scaffold(templates.Data{Name: name, Module: module})
	if err != nil {
		return err
	}
	paths := templates.Paths(files)
	if !opts.Force {
		var existing []string
		for _, p := range paths {
			if _, err := os.Stat(filepath.Join(abs, filepath.FromSlash(p))); err == nil {
				existing = append(existing, filepath.Join(opts.Dir, filepath.FromSlash(p)))
			}
		}
		if len(existing) > 0 {
			return fmt.Errorf("init %s: would overwrite %s; nothing written (use --force to overwrite)", opts.Dir, strings.Join(existing, ", "))
		}
	}
	for _, p := range paths {
		if err := atomicfile.Write(filepath.Join(abs, filepath.FromSlash(p)), files[p], 0o644); err != nil {
			return fmt.Errorf("init %s: %w", opts.Dir, err)
		}
	}
	if !opts.Quiet {
		for _, p := range paths {
			fmt.Fprintf(opts.IO.Out, "created %s\n", filepath.Join(opts.Dir, filepath.FromSlash(p)))
		}
		fmt.Fprintf(opts.IO.Out, "\nNext: govctl validate %s && govctl explain hello --env prod --dir %s\n", opts.Dir, opts.Dir)
	}
	return nil
}

// suggestLabel turns a name into the DNS label closest to it ("My Shop"
// gives "my-shop"), or "" when nothing of it is left.
func suggestLabel(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	s := strings.TrimLeft(b.String(), "0123456789-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	if !dnsLabel.MatchString(s) {
		return ""
	}
	return s
}
