// Package plan shows what a spec change will do: it renders the desired
// objects, reads the same objects from a baseline, matches them by
// identity, diffs them field by field, rates every change low, medium or
// high with a reason, and reports the result as text, Markdown or JSON
// (githubapi.UpsertComment posts the Markdown as one sticky pull-request
// comment, found by PlanMarker). It also prints a unified diff of rendered
// files against an output directory (Diff).
//
// Plan works on rendered objects only (render.Object); rendering is
// injected as a RenderFunc, so this package calls no renderer. The Nacos
// baseline reads the live server through package nacos.
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
//   - kind and rule id for lint-rule pseudo-objects (PolicyObject);
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
// Every change is rated by the Rego rules embedded from plan/risk/*.rego
// (package govctl.risk; RiskInput documents the input, risk.rego lists the
// rules by file, each with a _test.rego beside it). Each field of an
// update is rated on its own; a change is rated by its riskiest field. In
// short:
//
//	deleted                              prod high, staging medium, dev low
//	created                              low (what it adds is rated by the rest)
//	security policy (PeerAuthentication, AuthorizationPolicy,
//	RequestAuthentication, DestinationRule TLS, workflow permissions)
//	                                     prod high, staging medium, dev low
//	approvals lowered, approval gate removed, rollback threshold
//	(canary maxErrorRate, gate error rate) raised, canary first step raised
//	                                     high outside dev
//	reviewer removed                     medium outside dev
//	timeout, retries, circuit breaker, connection pool, rate limit,
//	degradation changed                  medium outside dev, low in dev
//	live Nacos config changed in prod    medium
//	lint rule disabled, severity lowered, parameter loosened, rule dropped
//	                                     prod high, staging medium, dev low
//	anything else                        low
//
// The rules run in the same sandbox as lint's: no network, no process
// environment, no randomness, no clock.
package plan
