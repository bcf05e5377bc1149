package plan

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/govctl/govctl/nacos"
	"github.com/govctl/govctl/render"
)

// NacosReader is what the Nacos baseline reads from a config centre;
// *nacos.Client and every nacos.ConfigStore implement it.
type NacosReader interface {
	// Get reads one config with its description (govctl's ownership
	// marker) and md5.
	Get(ctx context.Context, key nacos.Key) (nacos.Config, bool, error)
	// List returns every config of a namespace.
	List(ctx context.Context, namespace string) ([]nacos.Entry, error)
}

// NacosBaseline is the live config entries of one environment on a Nacos
// server. It compares the environment's desired entries with the server's
// and reports, as deletions, entries govctl wrote (its ownership marker is
// in their description) that the specs no longer render. Configs in the
// same namespaces that govctl did not write are none of the plan's
// business and are left out.
//
// An entry edited in the console since govctl applied it, or one govctl
// did not create, is planned as an update with Change.Conflict set: apply
// will refuse to overwrite it.
//
// The namespaces looked at are those of the desired entries: an
// environment that no longer renders any entry has nothing to list.
type NacosBaseline struct {
	// Store reads the server.
	Store NacosReader
	// Server names the server in reports, e.g. "http://nacos:8848".
	Server string
	// Env is the environment whose entries are compared.
	Env string
	// Concurrency bounds the requests in flight; 8 when zero.
	Concurrency int

	mu        sync.Mutex
	conflicts map[string]string // Change.Name → why apply refuses it
}

// NewNacosBaseline returns the baseline of env's entries on the server
// store talks to; server names it in reports.
func NewNacosBaseline(store NacosReader, server, env string) *NacosBaseline {
	return &NacosBaseline{Store: store, Server: server, Env: env}
}

// Describe implements Baseline.
func (b *NacosBaseline) Describe() string {
	return fmt.Sprintf("Nacos %s (environment %s)", b.Server, b.Env)
}

// Covers implements Baseline: the config entries of the environment.
func (b *NacosBaseline) Covers(o render.Object) bool {
	if o.Env != b.Env {
		return false
	}
	_, _, _, ok := nacosKey(o)
	return ok
}

func (b *NacosBaseline) conflict(env, name string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if env != b.Env {
		return ""
	}
	return b.conflicts[name]
}

// Objects implements Baseline.
func (b *NacosBaseline) Objects(ctx context.Context, desired []render.Object) ([]render.Object, error) {
	if b.Store == nil {
		return nil, fmt.Errorf("nacos baseline: no server")
	}
	want := map[nacos.Key]render.Object{}
	var namespaces []string
	seenNS := map[string]bool{}
	kind := ""
	for _, o := range desired {
		ns, group, dataID, ok := nacosKey(o)
		if !ok || o.Env != b.Env {
			continue
		}
		ns = nacos.NormalizeNamespace(ns)
		want[nacos.Key{Namespace: ns, Group: group, DataID: dataID}] = o
		if !seenNS[ns] {
			seenNS[ns] = true
			namespaces = append(namespaces, ns)
		}
		if kind == "" {
			kind = o.ID.Kind
		}
	}
	if kind == "" {
		kind = "ConfigEntry"
	}
	sort.Strings(namespaces)

	var listed []nacos.Entry
	for _, ns := range namespaces {
		entries, err := b.Store.List(ctx, ns)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			e.Namespace = nacos.NormalizeNamespace(e.Namespace)
			if e.Namespace == "" {
				e.Namespace = ns
			}
			listed = append(listed, e)
		}
	}

	limit := b.Concurrency
	if limit <= 0 {
		limit = 8
	}
	results := make([]*render.Object, len(listed))
	conflicts := make([]string, len(listed))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, e := range listed {
		g.Go(func() error {
			cfg, found, err := b.Store.Get(gctx, e.Key())
			if err != nil {
				return err
			}
			if !found {
				return nil // deleted since it was listed
			}
			d, desiredHere := want[e.Key()]
			applied, managed := nacos.ParseManagedDesc(cfg.Desc)
			if !desiredHere {
				if !managed {
					return nil // not govctl's
				}
				o := render.Object{
					Target: render.TargetNacos,
					Env:    b.Env,
					ID:     render.Identity{Kind: kind, Namespace: e.Namespace, Name: e.Group + "/" + e.DataID},
					Raw:    []byte(cfg.Content),
				}
				results[i] = &o
				return nil
			}
			o := d
			o.Value = nil
			o.Raw = []byte(cfg.Content)
			results[i] = &o
			desiredMD5 := nacos.ContentMD5(string(d.Raw))
			switch {
			case cfg.MD5 == desiredMD5:
			case !managed:
				conflicts[i] = "exists on the server but govctl did not create it; apply refuses to overwrite it unless told to adopt it"
			case cfg.MD5 != applied:
				conflicts[i] = fmt.Sprintf("edited outside govctl since govctl applied it (govctl wrote md5 %s, live md5 is %s); apply refuses to overwrite it: bring the change into the spec or revert it in the console", applied, cfg.MD5)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	b.mu.Lock()
	b.conflicts = map[string]string{}
	b.mu.Unlock()
	var out []render.Object
	for i, o := range results {
		if o == nil {
			continue
		}
		out = append(out, *o)
		if conflicts[i] != "" {
			e := listed[i]
			b.mu.Lock()
			b.conflicts[nacosName(e.Namespace, e.Group, e.DataID)] = conflicts[i]
			b.mu.Unlock()
		}
	}
	return out, nil
}
