# imfs-grate build and test entry points. `make` builds the library and the commands.
ESBUILD := npx esbuild
ESFLAGS := --bundle --platform=node --format=esm --target=node20
BANNER  := --banner:js='\#!/usr/bin/env node'
# The node that `make bench` runs (and every node process it starts): NODE=/path/to/node.
NODE    ?= node

.PHONY: all lib imfs debug test bench fuzz fixtures check-fixtures clean typecheck wasi-testsuite

all: lib imfs

lib:
	$(ESBUILD) src/index.ts $(ESFLAGS) --outfile=dist/index.js --log-level=warning
	npx tsc -p tsconfig.json

imfs:
	$(ESBUILD) src/grate/imfs-grate.ts $(ESFLAGS) $(BANNER) --outfile=dist/imfs-grate.js --log-level=warning
	$(ESBUILD) src/grate/fsop-cli.ts $(ESFLAGS) $(BANNER) --outfile=dist/imfs-fsop.js --log-level=warning
	chmod +x dist/imfs-grate.js dist/imfs-fsop.js

debug:
	$(ESBUILD) src/index.ts $(ESFLAGS) --sourcemap --outfile=dist/index.js
	$(ESBUILD) src/grate/imfs-grate.ts $(ESFLAGS) $(BANNER) --sourcemap --outfile=dist/imfs-grate.js
	$(ESBUILD) src/grate/fsop-cli.ts $(ESFLAGS) $(BANNER) --sourcemap --outfile=dist/imfs-fsop.js
	chmod +x dist/imfs-grate.js dist/imfs-fsop.js

typecheck:
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p tsconfig.test.json

# Every test: type check, then the whole vitest suite (conformance, differential, fsop, abi, grate).
test: typecheck check-fixtures all
	npx vitest run

# One feature's conformance tests, e.g. `make test-rename`.
test-%:
	npx vitest run test/conformance/$*.test.ts

# The upstream wasi-testsuite (wasm32-wasip1) through imfs-grate: WASI_TESTSUITE_DIR (an
# unpacked tree) or ../shared/conformance/wasi-testsuite.tar.xz unpacked into build/; JOBS.
wasi-testsuite: imfs
	$(ESBUILD) test/upstream/wasi-testsuite/main.ts $(ESFLAGS) --outfile=dist/wasi-testsuite.js --log-level=warning
	JOBS="$(JOBS)" node dist/wasi-testsuite.js

# BENCH_MODE=cold|warm|all (all), BENCH_COLD_REPS (5), BENCH_STARTUP_REPS (20), BENCH_REPS (1),
# BENCH_PASSES (5), BENCH_HOSTS, BENCH_TIMEOUT (45 s): see the README's Benchmarks section.
bench: all
	$(NODE) bench/run.mjs

# The ABI fuzzer (test/fuzz): SEED (default random, printed), COUNT (default 10,000,000 calls),
# JOBS (worker threads), FIRST_EPOCH, REPLAY=<saved reproducer.json>, SHOW=epoch:index.
# `make test` runs a fixed seed for 100,000 calls (test/fuzz.test.ts).
fuzz:
	$(ESBUILD) test/fuzz/main.ts $(ESFLAGS) --outfile=dist/fuzz.js --log-level=warning
	SEED="$(SEED)" COUNT="$(COUNT)" JOBS="$(JOBS)" FIRST_EPOCH="$(FIRST_EPOCH)" REPLAY="$(REPLAY)" SHOW="$(SHOW)" node dist/fuzz.js

# Fixture cages (wasm-fixtures/): rebuild the committed .wasm files from their C sources,
# or check that the committed ones match a fresh build (without clang-19 it skips the rebuild,
# saying so, and checks only that the SQLite cage was built from the amalgamation in node_modules).
fixtures:
	wasm-fixtures/build.sh

check-fixtures:
	wasm-fixtures/build.sh --check

clean:
	rm -rf dist build
