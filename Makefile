# dockmend's everyday commands. Plain `go test ./...` works too; these
# targets only name the habits.

GO ?= go
BIN := bin/dockmend

.PHONY: all build test test-short test-race vet fmt-check demo dist man bench bench-migrate fuzz update clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/dockmend

## test: formatting, vet, and every test (the corpus tests run when ../shared/corpus exists)
test: fmt-check vet
	scripts/test.sh

## test-short: the quick subset (samples the corpus)
test-short:
	$(GO) test -short ./...

## test-race: the quick subset under the race detector (needs cgo: a C compiler), as CI runs it
test-race:
	CGO_ENABLED=1 $(GO) test -race -short ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## demo: show every rule on the bundled examples, offline, pinning through the bundled lock file, then migrate them as git repositories
demo:
	@$(GO) build -o $(BIN) ./cmd/dockmend
	@bash scripts/demo.sh $(BIN)

## dist: release binaries of HEAD (a clone, not the work tree) for Linux, macOS and Windows, amd64 and arm64, with SHA256SUMS, in dist/; the version comes from the tag
dist:
	@bash scripts/dist.sh

## bench: pipeline vs parser over the corpus, digest resolution and dockmend base under latency
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./internal/corpus ./internal/buildkitparser ./internal/resolve ./transform/pin ./internal/base

## bench-migrate: time `dockmend migrate` over 1000 generated repositories (see bench/README.md)
bench-migrate:
	bench/migrate.sh $(BENCH_MIGRATE_FLAGS)

## fuzz: a short fuzzing session of the whole pipeline, then of the parser against buildkit's
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzPipeline -fuzztime 60s ./internal/corpus
	$(GO) test -run '^$$' -fuzz FuzzSameAsBuildkit -fuzztime 60s ./internal/buildkitparser

## man: the man pages in docs/man, from the commands' help (a test checks they are current)
man:
	$(GO) run ./cmd/dockmend-man -out docs/man

## update: rewrite every golden set after an intended change (review the diff!)
update:
	scripts/update.sh

clean:
	rm -rf bin dist

-include e2e/e2e.mk
