package schema

import (
	"sync"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	"github.com/govctl/govctl/internal/fieldpath"
)

// This file is the one home of the delivery decisions every renderer and
// command needs: how a service's versions run in an environment (Rollout)
// and what its metric gate measures and accepts (GateLimit, GateWindow,
// GateMetric). Render/istio, render/github and `govctl gate` call these;
// none decides on its own.

// Setting is a value the spec decides, and where it was set.
type Setting[T any] struct {
	// Value is the decided value.
	Value T
	// Field is the spec field that set Value, from the spec root (e.g.
	// environments.prod.canary.maxErrorRate); empty when Value is the
	// embedded schema's default.
	Field fieldpath.Path
	// Pos is where the user wrote Field, or the nearest enclosing field the
	// user wrote; zero for a schema default.
	Pos Pos
}

// From names where Value came from: Field, or "default" for the schema's
// default.
func (s Setting[T]) From() string {
	if len(s.Field) == 0 {
		return "default"
	}
	return s.Field.String()
}

// Rollout is how one service's versions run in one environment.
type Rollout struct {
	// Stable is the version of the stable subset, run by the Deployment
	// named for the service.
	Stable string
	// Canary is the version running side by side with Stable as the canary
	// subset, on the Deployment <service>-canary; empty when the environment
	// runs one version (Stable, which then is the service's version).
	Canary string
	// Stepped reports a stepped canary: traffic shifts to Canary by the
	// environment's canary.steps, gated on the error rate. Only with Canary.
	Stepped bool
	// Mirror is the environment's mirroring of this service's traffic; nil
	// when there is none, or when it would mirror to a canary subset that has
	// no pods because no rollout is in progress.
	Mirror *Mirror
}

// SideBySide reports whether two versions run at once (Canary is set).
func (r Rollout) SideBySide() bool { return r.Canary != "" }

// Rollout decides how svc, resolved for r's environment, runs there.
//
// A rollout is in progress when traffic.stableVersion differs from version
// (CanaryInProgress). The two versions then run side by side in an
// environment that stages it: one with canary steps (and a service that
// takes part, traffic.canary), where traffic shifts step by step, or one
// that mirrors traffic to the canary subset (and a service that takes part,
// traffic.mirror), where the canary gets only the mirrored copy and the
// requests coloured for it (a dark launch). Elsewhere the environment
// deploys version directly, so the one stable subset is version: routing to
// the old version there would send traffic to pods that no longer exist.
//
// The Setting's Field is services.<name>.traffic.stableVersion while two
// versions run side by side, else services.<name>.version.
func (r *Resolved) Rollout(svc *Service) Setting[Rollout] {
	env := r.Environment
	ro := Rollout{Stable: svc.Version}
	staged := env.Canary != nil && svc.Traffic.Canary
	mirrored := env.Mirror != nil && svc.Traffic.Mirror
	mirrorsToCanary := mirrored && env.Mirror.Subset == "canary"
	at := fieldpath.New("version")
	if svc.CanaryInProgress() && (staged || mirrorsToCanary) {
		ro.Stable, ro.Canary, ro.Stepped = svc.Traffic.StableVersion, svc.Version, staged
		at = fieldpath.New("traffic", "stableVersion")
	}
	if mirrored && (!mirrorsToCanary || ro.Canary != "") {
		ro.Mirror = env.Mirror
	}
	return Setting[Rollout]{Value: ro, Field: fieldpath.New("services", svc.Name).Append(at...), Pos: svc.PosOf(at)}
}

// GateLimit is the highest error rate (a fraction: 0.005 is 0.5 %) the
// metric gate lets svc pass with in r's environment: the environment's
// canary.maxErrorRate, else the service's slo.errorRate, else the schema's
// default canary.maxErrorRate.
func (r *Resolved) GateLimit(svc *Service) Setting[float64] {
	env := r.Environment
	switch {
	case env.Canary != nil:
		return envSetting(r, env.Canary.MaxErrorRate, "canary.maxErrorRate")
	case svc.SLO.ErrorRate > 0:
		at := fieldpath.New("slo", "errorRate")
		return Setting[float64]{Value: svc.SLO.ErrorRate, Field: fieldpath.New("services", svc.Name).Append(at...), Pos: svc.PosOf(at)}
	}
	return Setting[float64]{Value: canaryDefaults().maxErrorRate}
}

// GateWindow is how long the metric gate's rate is measured over in r's
// environment, which is also how long each canary step holds before the
// gate decides: the environment's canary.interval, else the schema's
// default canary.interval.
func (r *Resolved) GateWindow() Setting[time.Duration] {
	if c := r.Environment.Canary; c != nil && c.Interval.D() > 0 {
		return envSetting(r, c.Interval.D(), "canary.interval")
	}
	return Setting[time.Duration]{Value: canaryDefaults().interval}
}

// GateMetric is the request counter the metric gate reads in r's
// environment: the environment's canary.metric, else the schema's default.
func (r *Resolved) GateMetric() Setting[string] {
	if c := r.Environment.Canary; c != nil && c.Metric != "" {
		return envSetting(r, c.Metric, "canary.metric")
	}
	return Setting[string]{Value: canaryDefaults().metric}
}

// envSetting is a Setting of a field of r's environment.
func envSetting[T any](r *Resolved, v T, field string) Setting[T] {
	f := fieldpath.New("environments", r.Environment.Name).Append(fieldpath.MustParse(field)...)
	s := Setting[T]{Value: v, Field: f}
	if r.model != nil {
		s.Pos, _ = r.model.PosOf(f)
	}
	return s
}

// canaryDefault holds #Canary's defaults, read from the embedded schema so
// that no Go constant restates them.
type canaryDefault struct {
	interval     time.Duration
	maxErrorRate float64
	metric       string
}

// canaryDefaults reads them once. It cannot fail on the embedded schema
// (TestGateDefaultsAreTheSchemasCanaryDefaults); if it did, the zero values
// would make the gate fail closed rather than pass.
var canaryDefaults = sync.OnceValue(func() canaryDefault {
	v := cuecontext.New().CompileString(schemaSource, cue.Filename(schemaFileName)).LookupPath(cue.ParsePath("#Canary"))
	def := func(field string) cue.Value {
		d, _ := v.LookupPath(cue.ParsePath(field)).Default()
		return d
	}
	var d canaryDefault
	if s, err := def("interval").String(); err == nil {
		d.interval, _ = time.ParseDuration(s)
	}
	d.maxErrorRate, _ = def("maxErrorRate").Float64()
	d.metric, _ = def("metric").String()
	return d
})
