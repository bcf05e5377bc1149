// Package plan shows what a spec change will do, in the spec's language.
//
// With a spec baseline (a git ref) it diffs the resolved models of base
// and head first (spec.go): the platform, every environment, every service
// in every environment, the policies and exceptions, generically over the
// model's JSON form, so that a field a later schema adds takes part
// unlisted. Every semantic change is a Change with the file:line:col of its
// head value (the base value's for a removal), even when no target renders
// it; comments and formatting are not changes. The same edit in several
// environments is one change listing them; a service removed and one added
// with the same content is a rename.
//
// It then renders both sides, matches the objects by identity and diffs
// them field by field (ObjectChange). Each object field is attached to the
// spec change that carries it (rating.go: the change of the object's
// service, a dependency on it, its environment, the platform; the one
// whose values the field has wins), as that change's evidence; object
// changes no spec edit explains are one change saying so (a new govctl
// version or template). Without a spec baseline (a directory, a Nacos
// server) object changes are grouped by service and say that there is no
// spec baseline.
//
// Every change is rated by the risk rules over the model diff (risk.go,
// plan/risk/*.rego: one package per rule with METADATA and a _test.rego,
// in lint's sandbox), in each environment it shows in, in plain words
// naming the service and environment. Lint findings the change introduces
// are changes too (rated by their severity); those it fixes are listed.
// Reports are text, Markdown (for the PR comment: githubapi.UpsertComment
// posts it, found by PlanMarker) and JSON (JSON.md). Values pass the secrets
// Matcher: sensitive spec values are "(sensitive value changed)", object
// values are redacted structurally and scrubbed of known literals.
//
// Rendering is injected as a RenderFunc, so this package calls no
// renderer. The Nacos baseline reads the live server through package
// nacos. Diff prints a unified diff of rendered files against an output
// directory.
//
// # Baselines
//
// A Baseline is what the desired objects are compared with:
//
//   - DirBaseline: a directory of earlier output (`--against DIR`), read
//     through its ownership manifest;
//   - GitBaseline: the same spec directory at a git ref (`--base REF`),
//     read from the repository's objects with git plumbing, never touching
//     the work tree or the index, then loaded and rendered like the head;
//   - NacosBaseline: the live config entries of one environment on a Nacos
//     server (`--nacos URL`).
//
// # Identity
//
// Objects are matched, per environment, by:
//
//   - apiVersion/kind/namespace/name for Kubernetes-style objects (read
//     from the object itself, so that a directory baseline needs nothing
//     but the files);
//   - namespace/group/dataId for Nacos config entries;
//   - target and output path (and the document's position in a
//     multi-document file) for everything else: workflows, bootstrap files.
//
// # Field paths and list order
//
// Field paths are written as in jq and Terraform: `spec.http[0].route[1].weight`;
// a key that is not a plain identifier is quoted (`metadata.labels["app.kubernetes.io/name"]`).
// Lists are ordered unless the field is in SetLikeFields: there order has no
// meaning to the system that reads the list, so a reordering is no change,
// and an element added or removed is reported at `<list>[]` (jq's "any
// element of"). The table is deliberately short: a list not in it is
// compared position by position, because showing a reordering that does not
// matter is harmless while hiding one that does (routes, middleware,
// workflow steps) is not.
//
// # Risk
//
// The rules (plan/risk/*.rego, package govctl.risk.<name>) read one change
// in one environment (RiskInput) and add {level, reason} to `rating`; the
// highest wins. Among them: a dependency removed ("inventory now rejects
// orders": by tier), a service removed (by tier, one change), a version
// bump (a deploy: medium in prod, never high), replicas down in prod (high
// below 2 or on a cut of half), a rate limit cut by half on a public or
// critical service (high), a breaker loosened on a critical service
// (high), a canary loosened where there is one, approvals down, reviewers
// removed, the wait timer cut, mTLS loosened (by tier), a service made
// public or a host added (high), failOn loosened, a lint rule disabled, its
// severity lowered or a parameter loosened (by the tier it applies in,
// naming the rule), an exception added or extended (by tier), config data
// (medium: live reload), labels and dev-only changes (low), a sensitive
// literal (high, GOV-SEC-003).
package plan
