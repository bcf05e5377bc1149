# `make test` runs every test of the three Go modules in this repository, in
# order, stopping at the first failure: govctl itself (the root module), the
# kit runtime (kit/, its own module so services on it compile neither CUE nor
# OPA) and the example services on kit (examples/shop/app). `go test ./...`
# at the root does not enter nested modules.
GO ?= go
MODULES := . kit examples/shop/app

.PHONY: test vet
test:
	@set -e; for m in $(MODULES); do echo "--- go test ./... in $$m"; (cd $$m && $(GO) test ./...); done

vet:
	@set -e; for m in $(MODULES) tools/istio-validate; do echo "--- go vet ./... in $$m"; (cd $$m && $(GO) vet ./...); done
