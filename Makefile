# imfs-grate build and test entry points. `make` builds the library and the commands.
ESBUILD := npx esbuild
ESFLAGS := --bundle --platform=node --format=esm --target=node20
BANNER  := --banner:js='\#!/usr/bin/env node'
# The node that `make bench` runs (and every node process it starts): NODE=/path/to/node.
NODE    ?= node

.PHONY: all lib imfs worker debug test test-lite test-vitest bench fuzz fixtures check-fixtures clean typecheck wasi-testsuite wasi-testsuite-components pjdfstest pjdfstest-runner

all: lib imfs

# A lind cage that forks runs in worker threads: each loads dist/cage-worker.js (only the runner, never the IMFS).
worker:
	$(ESBUILD) src/grate/cage-worker.ts $(ESFLAGS) --outfile=dist/cage-worker.js --log-level=warning

lib: worker
	$(ESBUILD) src/index.ts $(ESFLAGS) --outfile=dist/index.js --log-level=warning
	npx tsc -p tsconfig.json

# The imfs-grate command: a small launcher (dist/imfs-grate.cjs) that runs the command's code,
# bundled as CommonJS (dist/imfs-grate-main.cjs), through V8's code cache (src/grate/launcher.ts);
# both built by scripts/bundle-command.mjs (which says how, and why).
imfs: worker
	node scripts/bundle-command.mjs
	$(ESBUILD) src/grate/fsop-cli.ts $(ESFLAGS) $(BANNER) --outfile=dist/imfs-fsop.js --log-level=warning
	chmod +x dist/imfs-grate.cjs dist/imfs-fsop.js

debug:
	$(ESBUILD) src/index.ts $(ESFLAGS) --sourcemap --outfile=dist/index.js
	node scripts/bundle-command.mjs --debug
	$(ESBUILD) src/grate/fsop-cli.ts $(ESFLAGS) $(BANNER) --sourcemap --outfile=dist/imfs-fsop.js
	chmod +x dist/imfs-grate.cjs dist/imfs-fsop.js

typecheck:
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p tsconfig.test.json

# The test files that take longest and exercise the IMFS's own logic far more than the Node
# under it: the upstream conformance suites, the ABI fuzzer, the differential test.
SLOW_TESTS := 'test/upstream/**' test/fuzz.test.ts test/differential.test.ts

ifdef NODE_LINE
# NODE_LINE=20|22|24|26: the same target, every step of it, under that Node line's pinned
# version (scripts/node-line.sh installs it, and better-sqlite3 built for it, on first use).
test test-lite test-vitest:
	scripts/node-line.sh $(NODE_LINE) $(MAKE) $@ NODE_LINE=
test-%:
	scripts/node-line.sh $(NODE_LINE) $(MAKE) $@ NODE_LINE=
else
# Every test: type check, then the whole vitest suite (conformance, differential, fsop, abi, grate).
test: typecheck check-fixtures all
	npx vitest run

# Every test file, for a second Node line (.ci/run): the build and the whole vitest suite,
# without the type check and the fixture check, whose results do not depend on the Node.
test-vitest: all
	@echo "make test-vitest under Node $$(node --version): every test file; not the type check and the fixture check (make test has them)"
	npx vitest run

# Less than `make test`, for a second Node line when time is short (.ci/run): the build and
# the vitest suite without SLOW_TESTS, and neither the type check nor the fixture check
# (their results do not depend on the Node that runs them). It says so before and after.
test-lite: all
	@echo "make test-lite under Node $$(node --version): NOT the whole suite: no type check, no fixture check, and not $(SLOW_TESTS)"
	npx vitest run $(addprefix --exclude ,$(SLOW_TESTS))
	@echo "make test-lite under Node $$(node --version): that was NOT the whole suite (left out: $(SLOW_TESTS))"

# One feature: our test/conformance/<feature>.test.ts and pjdfstest's tests/<feature>/, whichever
# exist (`make test-rename` runs both, `make test-ftruncate` pjdfstest's, `make test-pipe` ours).
test-%: pjdfstest-runner
	@ours=test/conformance/$*.test.ts; status=0; \
	node dist/pjdfstest.js --has $*; theirs=$$?; \
	if [ ! -f $$ours ] && [ $$theirs != 0 ]; then \
	  echo "make test-$*: no tests named '$*': no $$ours, and pjdfstest has no tests/$*/" >&2; exit 2; fi; \
	if [ -f $$ours ]; then npx vitest run $$ours || status=1; fi; \
	if [ $$theirs = 0 ]; then node dist/pjdfstest.js $* || status=1; fi; \
	exit $$status

endif

# pjdfstest (PJDFSTEST_DIR, default ../shared/conformance/pjdfstest) against imfs-fsop, JOBS
# files at a time (default 2): a table per feature; fails on any result not expected by
# test/upstream/pjdfstest/expected-failures.txt.
pjdfstest: pjdfstest-runner
	node dist/pjdfstest.js --jobs $(or $(JOBS),2)

pjdfstest-runner: imfs
	$(ESBUILD) test/upstream/pjdfstest/bin.ts $(ESFLAGS) $(BANNER) --outfile=dist/pjdfstest.js --log-level=warning

# The upstream wasi-testsuite (wasm32-wasip1) through imfs-grate: WASI_TESTSUITE_DIR (an
# unpacked tree) or ../shared/conformance/wasi-testsuite.tar.xz unpacked into build/; JOBS.
wasi-testsuite: imfs
	$(ESBUILD) test/upstream/wasi-testsuite/main.ts $(ESFLAGS) --external:@bytecodealliance/jco --outfile=dist/wasi-testsuite.js --log-level=warning
	JOBS="$(JOBS)" node dist/wasi-testsuite.js

# The same tests adapted into WASI 0.2 components (jco's preview1 command adapter) first.
wasi-testsuite-components: imfs
	$(ESBUILD) test/upstream/wasi-testsuite/main.ts $(ESFLAGS) --external:@bytecodealliance/jco --outfile=dist/wasi-testsuite.js --log-level=warning
	WASI_TESTSUITE_COMPONENTS=1 JOBS="$(JOBS)" node dist/wasi-testsuite.js

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
