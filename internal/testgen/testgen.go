// Package testgen generates realistic platform specs of any size, for
// performance work and tests at monorepo scale.
//
// A generated platform looks like examples/shop: a platform block (Consul
// registry, Nacos config centre, tracing, GitHub repository, platform
// defaults), dev / staging / prod environments, and one file per service
// under services/<group>/<name>.cue. Services depend only on services
// generated before them, so the call graph is a DAG, and their timeouts,
// retries, breakers, rate limits, fallbacks, SLOs, config data and
// overlays are chosen so that the platform validates, renders, and lints
// clean at --fail-on error. The same Options always produce the same bytes.
package testgen

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
)

// Layout is how services are spread over files.
type Layout int

const (
	// LayoutFilePerService writes services/<group>/<name>.cue, as a
	// monorepo with one owner per file would.
	LayoutFilePerService Layout = iota
	// LayoutFilePerGroup writes all services of a group to
	// services/<group>.cue.
	LayoutFilePerGroup
	// LayoutSingleFile writes all services to services.cue.
	LayoutSingleFile
)

// DefaultName is the platform name when Options.Name is empty.
const DefaultName = "market"

// DefaultOverlayShare is the share of services with env overlays when
// Options.OverlayShare is zero.
const DefaultOverlayShare = 0.3

// MaxServices is the largest platform Generate makes.
const MaxServices = 100000

// Options describe the platform to generate.
type Options struct {
	// Services is the number of services, at least 1.
	Services int
	// Seed selects the platform: the same seed gives the same bytes.
	Seed int64
	// Name is the platform name, a DNS label; DefaultName when empty.
	Name string
	// OverlayShare is the share of services with env overlays:
	// DefaultOverlayShare when zero, none when negative.
	OverlayShare float64
	// Layout spreads the services over files.
	Layout Layout
}

func (o Options) overlayShare() float64 {
	switch {
	case o.OverlayShare == 0:
		return DefaultOverlayShare
	case o.OverlayShare < 0:
		return 0
	}
	return min(o.OverlayShare, 1)
}

var dnsLabel = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)

// normalize fills in defaults and checks opts.
func (o Options) normalize() (Options, error) {
	if o.Name == "" {
		o.Name = DefaultName
	}
	// The longest namespace is <name>-staging, which must be a DNS label.
	if !dnsLabel.MatchString(o.Name) || len(o.Name)+len("-staging") > 63 {
		return o, fmt.Errorf("generate platform: name %q is not a DNS label of at most %d characters", o.Name, 63-len("-staging"))
	}
	if o.Services < 1 || o.Services > MaxServices {
		return o, fmt.Errorf("generate platform: %d services: want 1 to %d", o.Services, MaxServices)
	}
	switch o.Layout {
	case LayoutFilePerService, LayoutFilePerGroup, LayoutSingleFile:
	default:
		return o, fmt.Errorf("generate platform: unknown layout %d", o.Layout)
	}
	return o, nil
}

// Generate returns the files of a platform spec directory: slash-separated
// paths relative to the directory, and their contents.
func Generate(opts Options) (map[string][]byte, error) {
	opts, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	services := newPlanner(opts).plan()
	platform, err := platformFile(opts)
	if err != nil {
		return nil, fmt.Errorf("generate platform: govctl.cue: %w", err)
	}
	environments, err := environmentsFile()
	if err != nil {
		return nil, fmt.Errorf("generate platform: environments/environments.cue: %w", err)
	}
	files := map[string][]byte{
		"govctl.cue":                    platform,
		"environments/environments.cue": environments,
	}
	// Files in the order their services were generated; a file's services
	// in name order.
	byFile := map[string][]*service{}
	var order []string
	for _, s := range services {
		f := fileOf(opts.Layout, s)
		if byFile[f] == nil {
			order = append(order, f)
		}
		byFile[f] = append(byFile[f], s)
	}
	for _, f := range order {
		list := byFile[f]
		sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
		src, err := servicesFile(list, services)
		if err != nil {
			return nil, fmt.Errorf("generate platform: %s: %w", f, err)
		}
		files[f] = src
	}
	return files, nil
}

func fileOf(layout Layout, s *service) string {
	switch layout {
	case LayoutFilePerGroup:
		return path.Join("services", s.group+".cue")
	case LayoutSingleFile:
		return "services.cue"
	}
	return path.Join("services", s.group, s.name+".cue")
}

// Write generates the platform and writes its files under dir, creating
// directories as needed and replacing files of the same names.
func Write(dir string, opts Options) error {
	files, err := Generate(opts)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write platform: %w", err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return fmt.Errorf("write platform: %w", err)
		}
	}
	return nil
}
