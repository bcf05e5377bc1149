# METADATA
# title: Canary steps increase and end at 100 %
# description: >-
#   Each canary step sets the share of traffic the new version gets. Steps
#   that go down shift traffic back to the old version mid-rollout and make
#   the metric gate compare unequal samples; a rollout whose last step is not
#   100 never completes, leaving two versions serving production until
#   someone notices.
# custom:
#   id: GOV-TRF-001
#   severity: error
#   reads: connected
#   remediation: >-
#     List environments.<env>.canary.steps in strictly increasing order and
#     end them with 100, e.g. [10, 30, 100].
#   examples:
#     fail: |
#       environments: prod: canary: steps: [30, 10, 50]
#     pass: |
#       environments: prod: canary: steps: [10, 30, 100]
package govctl.rules.trf_001

steps_path := sprintf("environments.%s.canary.steps", [input.environment.name])

violation contains f if {
	steps := input.environment.canary.steps
	some i in numbers.range(1, count(steps) - 1)
	steps[i] <= steps[i - 1]
	f := {
		"msg": sprintf("canary step %d (%d %%) does not increase on the step before it (%d %%) in %v", [i + 1, steps[i], steps[i - 1], steps]),
		"path": steps_path,
	}
}

violation contains f if {
	steps := input.environment.canary.steps
	count(steps) > 0
	steps[count(steps) - 1] != 100
	f := {
		"msg": sprintf("canary steps %v end at %d %%, not 100 %%: the rollout never completes", [steps, steps[count(steps) - 1]]),
		"path": steps_path,
	}
}
