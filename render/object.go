// Package render turns a resolved model into objects and writes them as
// deterministic files. Each target (render/istio, render/kratos, render/nacos,
// render/github) returns []Object; this package owns how they reach disk: the
// YAML writer, atomic writes, the ownership manifest and staleness checks.
package render

import (
	"context"

	"github.com/govctl/govctl/schema"
)

// Target names one kind of output.
type Target string

// The targets govctl renders, in the order they are listed and written.
const (
	TargetIstio  Target = "istio"
	TargetKratos Target = "kratos"
	TargetNacos  Target = "nacos"
	TargetGitHub Target = "github"
)

// AllTargets returns every target in its canonical order, a new slice on
// each call. Package render/targets maps them to their renderers.
func AllTargets() []Target {
	return []Target{TargetIstio, TargetKratos, TargetNacos, TargetGitHub}
}

// Identity is what plan matches objects by across a change: a Kubernetes-style
// API identity for mesh objects, namespace/group/dataId for Nacos entries and
// the file path for workflows and bootstrap files.
type Identity struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// Object is one rendered unit: a Kubernetes object, a bootstrap file, a
// config entry or a workflow.
type Object struct {
	// Target is the renderer that produced the object.
	Target Target `json:"target"`
	// Env is the environment the object belongs to; empty for objects that
	// span environments (a deploy workflow).
	Env string `json:"env,omitempty"`
	// Service is the service the object was rendered for, if any.
	Service string `json:"service,omitempty"`
	// Path is the slash-separated output path relative to the output
	// directory. Several objects may share a path: they are written as one
	// multi-document YAML file in the order of Objects.
	Path string `json:"path"`
	// ID is the identity plan matches the object by.
	ID Identity `json:"id"`
	// Source is the spec file (relative to the spec dir) the object came
	// from; it is named in the generated header.
	Source string `json:"source,omitempty"`
	// Value is the object's content: anything that marshals to YAML/JSON
	// (a typed API struct or plain maps). Ignored when Raw is set.
	Value any `json:"value,omitempty"`
	// Raw, when set, is written as is (Nacos content in its declared format,
	// bundle zips). No header is added to raw files.
	Raw []byte `json:"-"`
	// Derived marks a summary of other objects of the same render (an
	// index, an import bundle): written to disk, but never planned on its
	// own, since the objects it summarises are.
	Derived bool `json:"derived,omitempty"`
}

// Renderer renders one target for the named environments of a model.
// Renderers are pure: the same model gives the same objects, in the same
// order, every time.
type Renderer interface {
	Target() Target
	// Render returns the target's objects for envs (each a name in
	// m.Environments, in promotion order). Targets whose files span
	// environments (deploy workflows) render them with Env empty.
	Render(ctx context.Context, m *schema.Model, envs []string) ([]Object, error)
}
