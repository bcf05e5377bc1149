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

// planRollout decides the subsets, split and mirroring of a service from
// the model's rollout decision (schema.Resolved.Rollout): a stepped canary
// gets the environment's first step (or Options.CanaryWeight), a mirrored
// one only the mirrored copy and the requests coloured for it.
func (e *envRender) planRollout(svc *schema.Service) (rollout, error) {
	ro := e.res.Rollout(svc).Value
	p := rollout{stable: ro.Stable, canary: ro.Canary, mirror: ro.Mirror}
	if ro.Stepped {
		w, err := e.canaryWeight(svc)
		if err != nil {
			return rollout{}, err
		}
		p.weighted, p.canaryWeight = true, w
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
