// Package lint checks a platform spec against governance rules written in
// Rego (OPA): govctl's built-in catalog (package lint/rules) and the spec's
// own policies/*.rego, in a sandbox that has no network, no runtime
// environment, no randomness and no clock ("now" is part of the input).
//
// Lint loads every rule once, validates the rule parameters the spec sets
// in its policies block, prepares one query over all rules and evaluates it
// once per environment (environments run concurrently, bounded). Each
// finding is placed at the file:line:col of the spec field it is about,
// filtered by the spec's rule scoping and exceptions, deduplicated across
// environments and sorted. Reporters write a Result as text, JSON, SARIF
// 2.1.0, JUnit XML or GitHub workflow annotations.
//
// The rule contract (shared by built-in and custom rules):
//
//   - a package with a package-scope METADATA block: title, description and
//     custom {id, severity, remediation, params, scope, examples};
//   - `violation contains f if {...}` with f = {"msg": string,
//     "service"?: string, "path"?: string}; path is dotted, relative to the
//     service when service is set, else absolute from the spec root;
//   - parameters read from data.govctl.params["<ID>"], always complete (the
//     declared defaults merged with the spec's policies.rules[ID].params);
//   - conftest-style `deny contains msg` / `warn contains msg` (msg a string
//     or an object as above) also work in custom policies.
//
// The input document is described by InputDocument and in INPUT.md.
package lint
