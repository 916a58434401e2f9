# honua-gitops — GitOps for Honua geospatial servers.
#   make demo   run the whole loop on the embedded defaults
#   make test   run every test
#   make e2e    run the example workflow end to end with act (no Docker)
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin

.PHONY: all build test test-race vet fmt-check bench fuzz demo clean e2e

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/honua-gitops ./cmd/honua-gitops
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/honua-emulator ./cmd/honua-emulator

test: fmt-check vet
	$(GO) test -count=1 ./...

# The workflow users copy, run end to end with nektos/act (a library in the
# separate module testdata/e2e, so act never enters go.mod) against a fake
# GitHub, a git http-backend remote and Honua emulators. No Docker needed.
e2e: build
	cd testdata/e2e && HONUA_BIN=$(abspath $(BIN)) $(GO) test -count=1 -timeout 15m ./...

test-race:
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Load+validate+plan at 1k, 10k and 50k resources; a Generation 1 apply of
# 1,000 resources; a Generation 2 plan of 1,000 layers at 5 ms per request.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 5x ./internal/usecase/
	$(GO) test -run '^$$' -bench BenchmarkApply1000 -benchtime 2x ./internal/driver/gen1/
	$(GO) test -run '^$$' -bench BenchmarkGen2Plan1000Layers5ms -benchtime 3x ./internal/driver/gen2/

# A short fuzz run of every fuzz target (FUZZTIME per target). A count
# (Nx), not a duration: Go 1.26's fuzz coordinator can fail a duration-bound
# run with a spurious "context deadline exceeded" at the deadline on a busy
# machine (golang/go#75804, fixed in Go 1.27).
FUZZTIME ?= 100000x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/document/
	$(GO) test -run '^$$' -fuzz '^FuzzPlanInvariant$$' -fuzztime $(FUZZTIME) ./internal/plan/
	$(GO) test -run '^$$' -fuzz '^FuzzJournalMarkdown$$' -fuzztime $(FUZZTIME) ./internal/render/
	$(GO) test -run '^$$' -fuzz '^FuzzScalarText$$' -fuzztime $(FUZZTIME) ./internal/sourceedit/

# make demo runs against a Generation 2 server (what every Honua release is); GENERATION=1 for the declarative one.
GENERATION ?= 2
demo: build
	@$(GO) run ./cmd/honua-demo -bin $(BIN) -generation $(GENERATION)

clean:
	rm -rf $(BIN)
