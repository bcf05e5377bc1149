package istio

import (
	"fmt"

	"github.com/govctl/govctl/schema"
)

// rollout is how a service's traffic is split between its versions in one
// environment.
type rollout struct {
	// stable is the version label of the stable subset.
	stable string
	// canary is the version label of the canary subset; empty when the
	// environment runs only one version of the service.
	canary string
	// weighted reports a stepped canary: the uncoloured traffic is split
	// canaryWeight / 100-canaryWeight between canary and stable.
	weighted     bool
	canaryWeight int
	// mirror, when set, copies the uncoloured traffic to a subset.
	mirror *schema.Mirror
}

// planRollout decides the subsets, split and mirroring of a service.
//
// A rollout is in progress when traffic.stableVersion differs from version
// (svc.CanaryInProgress). The two versions then run side by side in an
// environment that stages it: one with canary steps (and a service that
// takes part, traffic.canary), where the canary gets the environment's
// first step (or Options.CanaryWeight), or one that mirrors traffic to the
// canary subset (and a service that takes part, traffic.mirror), where the
// canary gets only the mirrored copy and the requests coloured for it
// (a dark launch). Elsewhere the environment deploys `version` directly,
// so the one stable subset is `version`: routing to the old version there
// would send traffic to pods that no longer exist.
//
// Mirroring to the canary subset needs a canary: with none in progress the
// mirror is left out rather than rendered towards a subset with no pods.
func (e *envRender) planRollout(svc *schema.Service) (rollout, error) {
	p := rollout{}
	p.stable, p.canary = Versions(e.env, svc)
	staged := e.env.Canary != nil && svc.Traffic.Canary
	mirrored := e.env.Mirror != nil && svc.Traffic.Mirror
	if p.canary != "" && staged {
		w, err := e.canaryWeight(svc)
		if err != nil {
			return rollout{}, err
		}
		p.weighted, p.canaryWeight = true, w
	}
	if mirrored && (e.env.Mirror.Subset != SubsetCanary || p.canary != "") {
		p.mirror = e.env.Mirror
	}
	return p, nil
}

// canaryWeight is the canary's share of traffic: Options.CanaryWeight when
// set (Render has checked its range), else the environment's first step.
func (e *envRender) canaryWeight(svc *schema.Service) (int, error) {
	if w := e.opts.CanaryWeight; w != nil {
		return *w, nil
	}
	field := fmt.Sprintf("environments.%s.canary.steps", e.env.Name)
	steps := e.env.Canary.Steps
	if len(steps) == 0 {
		return 0, e.envErrorf(svc, field, "the canary has no steps: list the canary's share of traffic at each step, e.g. [10, 30, 100]")
	}
	if w := steps[0]; w < 0 || w > 100 {
		return 0, e.envErrorf(svc, field, "canary step %d is not a share of traffic: a VirtualService weight is 0 to 100", w)
	}
	return steps[0], nil
}

// Versions returns the versions of svc that run in env: the stable one,
// and the canary while a rollout runs both side by side there (empty
// otherwise). It is planRollout's decision, for the renderers of the
// workloads that the subsets select (render/kubernetes).
func Versions(env *schema.Environment, svc *schema.Service) (stable, canary string) {
	staged := env.Canary != nil && svc.Traffic.Canary
	mirrored := env.Mirror != nil && svc.Traffic.Mirror
	if svc.CanaryInProgress() && (staged || (mirrored && env.Mirror.Subset == SubsetCanary)) {
		return svc.Traffic.StableVersion, svc.Version
	}
	return svc.Version, ""
}
