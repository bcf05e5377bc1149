// Package ciconfig holds the tests of the repository's release and CI
// integration files, the ones at the root that no Go package reads:
// action.yml (the composite GitHub Action), .goreleaser.yaml,
// .pre-commit-hooks.yaml, and the package picture in README.md. Their owners' tools check only part of what
// matters (actionlint does not read action metadata; GoReleaser does not
// know which variables -X must set), so `go test` checks the rest.
package ciconfig
