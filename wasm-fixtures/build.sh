#!/usr/bin/env bash
# Builds the fixture cages deterministically.
#
#   wasm-fixtures/build.sh [OUTDIR]        build every fixture into OUTDIR (default: wasm-fixtures/)
#   wasm-fixtures/build.sh --check         rebuild into a temp dir, compare byte for byte with the
#                                          committed .wasm files (exit 1 naming each stale file)
#   wasm-fixtures/build.sh procs [OUTDIR]  build only the process cages (processes/, asyncified);
#                                          PROC_SIZES=1 prints their sizes before/after asyncify
#   wasm-fixtures/build.sh native NAME [ARGS...]
#                                          build a Lind-ABI fixture natively with gcc and run it
#                                          against the real Linux kernel (checks expectations)
#
# Needs clang-19 and wasm-ld-19 (lld-19), wasi-libc, and compiler-rt's wasm32 builtins
# (Debian: apt-get install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32), and for the
# SQLite cage the amalgamation that the better-sqlite3 devDependency ships (npm ci).
# --check without the toolchain skips the rebuild, saying so, but still checks that the SQLite
# cages (core module and component) were built from the amalgamation now in node_modules (that needs no compiler).
# The lind-glibc fixtures also need Lind's prebuilt sysroot, lind-sysroot.tar.xz (from
# ../shared/lind-sysroot/ beside the checkout, or $LIND_SYSROOT_TAR); it is extracted into a
# temporary directory for the build and removed after. Without it they are skipped, loudly.
# The process fixtures (processes/) need it too, and binaryen's wasm-opt (apt-get install binaryen;
# version recorded in WASM_OPT_VERSION below).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEMPS=() # temporary directories, removed however the script ends
trap 'rm -rf "${TEMPS[@]}"' EXIT
CC="${CLANG:-clang-19}"

LIND_FIXTURES=(lind-fs lind-proc)
WASI_FIXTURES=(wasi-fs wasi-misc wasi-raw demo hello)
# The benchmark program (bench/): one set of workloads over a small syscall shim, built for WASI and for lind.
BENCH_FIXTURES=(bench bench-lind)
# SQLite (test/real/sqlite.test.ts): the amalgamation of node_modules/better-sqlite3 with a small shell.
SQLITE_FIXTURES=(sqlite-driver)
SQLITE_DIR=../node_modules/better-sqlite3/deps/sqlite3 # relative to $HERE, as build_all compiles
# Cages built against Lind's real glibc for wasm32 (lind-glibc/), each .wasm beside its source.
LIND_GLIBC_FIXTURES=(lind-glibc/lind-glibc)
# WASI 0.2 command components (components/): preview1 programs adapted with jco's preview1
# command adapter (components/adapt.mjs, needs node_modules' @bytecodealliance/jco): the WASI
# fixtures above, the benchmark program (make bench's component rows), components/p2-io.c,
# which is built only to be adapted, and the SQLite cage; and components/p2-direct.c, which
# imports wasi:* 0.2.3 itself (no libc, no adapter): built freestanding, its world
# components/p2-direct.wit embedded and made a component by components/embed.mjs.
COMPONENT_FIXTURES=(components/p2-io components/wasi-fs components/wasi-misc components/hello components/bench components/sqlite-driver components/p2-direct)
LIND_SYSROOT_TAR="${LIND_SYSROOT_TAR:-$HERE/../../shared/lind-sysroot/lind-sysroot.tar.xz}"
# Process cages (processes/): built like the lind-glibc ones, then instrumented by binaryen's
# asyncify so that fork can unwind and rewind them (../shared/docs/processes.md §2). Their bytes
# depend on the wasm-opt version, recorded here; --check says so when this machine's differs.
PROC_FIXTURES=(processes/proctest processes/echo-args processes/upcase processes/procbench processes/threads processes/threadbench)
WASM_OPT="${WASM_OPT:-wasm-opt}"
WASM_OPT_VERSION="wasm-opt version 108" # Debian bookworm's binaryen 108-1, /usr/bin/wasm-opt
# The features a lind-glibc cage uses (legacy exception handling, not exnref: Node 20), and
# asyncify limited to the imports that unwind: make-syscall (fork, exec, exit) and
# epoch_callback (not imported by these cages; listing it costs nothing).
ASYNCIFY_FLAGS=(--enable-threads --enable-bulk-memory --enable-mutable-globals --enable-sign-ext
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue --enable-exception-handling
  --asyncify --pass-arg=asyncify-imports@lind.make-syscall,lind.epoch_callback -O2)

# Lind-ABI cages: freestanding, shared imported env.memory (max 1024 pages), our own _start.
LIND_CFLAGS=(--target=wasm32 -nostdlib -ffreestanding -fno-builtin -O2 -matomics -mbulk-memory
  -Wall -Wextra -Werror -ffile-prefix-map="$HERE"=.)
LIND_LDFLAGS=(-Wl,--import-memory,--shared-memory,--max-memory=67108864,--no-entry
  -Wl,--export=_start,--export-memory,-z,stack-size=262144,--strip-debug)
# WASI cages: wasi-libc. --strip-debug drops libc.a's DWARF (keeps the name section).
WASI_CFLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror -ffile-prefix-map="$HERE"=.)
WASI_LDFLAGS=(-Wl,--strip-debug)
# A component's core module that imports wasi:* 0.2 itself: freestanding (no wasi-libc, so no
# preview1 imports), bulk memory for the struct copies and fills clang emits (no memcpy/memset).
P2_CFLAGS=(--target=wasm32 -nostdlib -ffreestanding -O2 -mbulk-memory -Wall -Wextra -Werror -ffile-prefix-map="$HERE"=.)
P2_LDFLAGS=(-Wl,--no-entry,--strip-debug)
# SQLite: -Os (803 KB; -O2 gives 1.2 MB and -O0 2.3 MB and runs the test twice as slowly),
# no warnings for SQLite's own code (the driver gets the usual ones). SQLite recognises
# __wasi__ and configures itself: no threads, no mmap, no load_extension, the unix-dotfile
# VFS (wasi-libc has no fcntl locks), so the rollback journal is what runs. wasm-ld's default
# 64 KiB stack is too small for its parser, VDBE and VACUUM with big rows: 1 MiB, placed
# first so that an overflow traps instead of overwriting data.
SQLITE_CFLAGS=(--target=wasm32-wasi --sysroot=/usr -Os -ffile-prefix-map="$HERE"=.)
SQLITE_LDFLAGS=(-Wl,-z,stack-size=1048576,--stack-first,--strip-debug)
# lind-glibc cages: the flags of Lind's `lind_compile -s` (../shared/lind-sysroot/README.md), plus
# warnings as errors and --strip-debug (the sysroot's libc.a carries DWARF; the code is the same).
GLIBC_CFLAGS=(--target=wasm32-unknown-wasi -fwasm-exceptions -mllvm -wasm-enable-sjlj -pthread -O2
  -Wall -Wextra -Werror -ffile-prefix-map="$HERE"=.)
GLIBC_LDFLAGS=(-Wl,--import-memory,--export-memory,--max-memory=67108864,--export=__stack_pointer,--export=__stack_low,--export=__tls_base,--export=__wasm_init_tls
  -Wl,--strip-debug)

have_toolchain() {
  command -v "$CC" >/dev/null 2>&1 || { echo "$CC not found"; return 1; }
  local rt
  rt="$("$CC" --target=wasm32-wasi -print-libgcc-file-name 2>/dev/null || true)"
  [ -n "$rt" ] && [ -f "$rt" ] || { echo "compiler-rt wasm32 builtins missing ($rt); apt-get install libclang-rt-19-dev-wasm32"; return 1; }
  [ -f /usr/lib/wasm32-wasi/libc.a ] || { echo "wasi-libc missing (/usr/lib/wasm32-wasi/libc.a); apt-get install wasi-libc"; return 1; }
}

# The amalgamation's SQLITE_SOURCE_ID ("date time sha3"), or nothing if it is not installed.
amalgamation_id() {
  [ -f "$HERE/$SQLITE_DIR/sqlite3.h" ] || return 0
  sed -n 's/^#define SQLITE_SOURCE_ID *"\(.*\)"$/\1/p' "$HERE/$SQLITE_DIR/sqlite3.h"
}

# Whether the committed SQLite cages (the core module and its component, which embeds it) were
# built from the amalgamation in node_modules: the source id that sqlite3_sourceid() returns is
# a string in the cage's data. Prints why not.
sqlite_cage_current() {
  local cage want have version f ok=0
  want="$(amalgamation_id)"
  [ -n "$want" ] || { echo "check-fixtures: the SQLite amalgamation is missing (node_modules/better-sqlite3/deps/sqlite3/sqlite3.h): run 'npm ci'"; return 1; }
  version="$(sed -n 's/^#define SQLITE_VERSION *"\(.*\)"$/\1/p' "$HERE/$SQLITE_DIR/sqlite3.h")"
  for f in sqlite-driver components/sqlite-driver; do
    cage="$HERE/$f.wasm"
    [ -f "$cage" ] || continue # reported as missing with the others
    grep -qaF "$want" "$cage" && continue
    have="$(grep -aoE '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} [0-9a-f]{64}' "$cage" | head -n 1 || true)"
    echo "check-fixtures: wasm-fixtures/$f.wasm is stale: it was built from SQLite ${have:-(no source id found)}, but node_modules/better-sqlite3 now ships SQLite $version ($want) (run 'make fixtures' with clang-19 installed and commit it)"
    ok=1
  done
  return "$ok"
}

# Compiling and linking are separate steps, and the link has no -O flag: given one, clang
# runs binaryen's wasm-opt on the linked module whenever a wasm-opt is on PATH (it re-optimizes
# and drops the name section), so the bytes would depend on whether binaryen is installed.
compile() { # OBJ CFLAGS-ARRAY-NAME SOURCE [EXTRA-FLAGS...]
  local obj="$1" src="$3"
  local -n cflags="$2"
  shift 3
  "$CC" "${cflags[@]}" "$@" -c -o "$obj" "$src"
}
link() { # WASM CFLAGS-ARRAY-NAME LDFLAGS-ARRAY-NAME OBJECTS...
  local wasm="$1" f
  local -n cflags="$2" ldflags="$3"
  shift 3
  # The compile flags that matter to a link: not -O (see above), warnings or code-generation
  # options (-mllvm X), which the objects already reflect (and -Werror would call unused).
  local target=() skip=0
  for f in "${cflags[@]}"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$f" in -mllvm) skip=1 ;; -O*|-W*) ;; *) target+=("$f") ;; esac
  done
  "$CC" "${target[@]}" "${ldflags[@]}" -o "$wasm" "$@"
}

have_lind_sysroot() {
  [ -f "$LIND_SYSROOT_TAR" ] || { echo "no Lind sysroot at $LIND_SYSROOT_TAR (set LIND_SYSROOT_TAR)"; return 1; }
  command -v xz >/dev/null 2>&1 || { echo "xz not found (needed to unpack $LIND_SYSROOT_TAR)"; return 1; }
}

# Builds the lind-glibc cages into OUT (same relative paths), with the sysroot unpacked in a temp dir.
build_glibc() {
  local out="$1" sysroot_dir f
  cd "$HERE"
  sysroot_dir="$(mktemp -d)"
  TEMPS+=("$sysroot_dir")
  tar -xJf "$LIND_SYSROOT_TAR" -C "$sysroot_dir"
  local s="$sysroot_dir/lind-sysroot"
  for f in "${LIND_GLIBC_FIXTURES[@]}"; do
    mkdir -p "$out/$(dirname "$f")" "$sysroot_dir/obj/$(dirname "$f")"
    compile "$sysroot_dir/obj/$f.o" GLIBC_CFLAGS "$f.c" --sysroot="$s"
    link "$out/$f.wasm" GLIBC_CFLAGS GLIBC_LDFLAGS --sysroot="$s" "$sysroot_dir/obj/$f.o" "$s/lib/wasm32-wasi/lind_utils.o"
  done
}

have_wasm_opt() {
  command -v "$WASM_OPT" >/dev/null 2>&1 || { echo "$WASM_OPT not found (apt-get install binaryen; the fixtures were built with $WASM_OPT_VERSION)"; return 1; }
}

# Builds the process cages into OUT: link with the lind-glibc flags, then wasm-opt --asyncify.
# PROC_SIZES=1 prints each cage's size before and after asyncify.
build_proc() {
  local out="$1" sysroot_dir f pre
  cd "$HERE"
  sysroot_dir="$(mktemp -d)"
  TEMPS+=("$sysroot_dir")
  tar -xJf "$LIND_SYSROOT_TAR" -C "$sysroot_dir"
  local s="$sysroot_dir/lind-sysroot"
  for f in "${PROC_FIXTURES[@]}"; do
    mkdir -p "$out/$(dirname "$f")" "$sysroot_dir/obj/$(dirname "$f")"
    pre="$sysroot_dir/obj/$f.pre.wasm"
    compile "$sysroot_dir/obj/$f.o" GLIBC_CFLAGS "$f.c" --sysroot="$s"
    link "$pre" GLIBC_CFLAGS GLIBC_LDFLAGS --sysroot="$s" "$sysroot_dir/obj/$f.o" "$s/lib/wasm32-wasi/lind_utils.o"
    "$WASM_OPT" "${ASYNCIFY_FLAGS[@]}" "$pre" -o "$out/$f.wasm"
    [ "${PROC_SIZES:-}" = 1 ] && echo "$f.wasm: $(stat -c %s "$pre") bytes linked, $(stat -c %s "$out/$f.wasm") after asyncify -O2"
  done
  return 0
}

build_all() {
  local out="$1" o f
  mkdir -p "$out"
  o="$(mktemp -d)" # objects
  TEMPS+=("$o")
  cd "$HERE" # relative source paths keep the output independent of the checkout's location
  compile "$o/lind_rt.o" LIND_CFLAGS lind/lind_rt.c
  for f in "${LIND_FIXTURES[@]}"; do
    compile "$o/$f.o" LIND_CFLAGS "$f.c"
    link "$out/$f.wasm" LIND_CFLAGS LIND_LDFLAGS "$o/$f.o" "$o/lind_rt.o"
  done
  for f in "${WASI_FIXTURES[@]}"; do
    compile "$o/$f.o" WASI_CFLAGS "$f.c"
    link "$out/$f.wasm" WASI_CFLAGS WASI_LDFLAGS "$o/$f.o"
  done
  compile "$o/bench-wasi.o" WASI_CFLAGS bench/bench.c
  compile "$o/bench-posix.o" WASI_CFLAGS bench/bench-posix.c
  link "$out/bench.wasm" WASI_CFLAGS WASI_LDFLAGS "$o/bench-wasi.o" "$o/bench-posix.o"
  compile "$o/bench-lind-main.o" LIND_CFLAGS bench/bench.c
  compile "$o/bench-lind.o" LIND_CFLAGS bench/bench-lind.c
  link "$out/bench-lind.wasm" LIND_CFLAGS LIND_LDFLAGS "$o/bench-lind-main.o" "$o/bench-lind.o" "$o/lind_rt.o"
  mkdir -p "$out/components"
  compile "$o/p2-io.o" WASI_CFLAGS components/p2-io.c
  link "$o/p2-io.wasm" WASI_CFLAGS WASI_LDFLAGS "$o/p2-io.o"
  node components/adapt.mjs "$o/p2-io.wasm" "$out/components/p2-io.wasm" \
    "$out/wasi-fs.wasm" "$out/components/wasi-fs.wasm" "$out/wasi-misc.wasm" "$out/components/wasi-misc.wasm" \
    "$out/hello.wasm" "$out/components/hello.wasm" "$out/bench.wasm" "$out/components/bench.wasm"
  compile "$o/p2-direct.o" P2_CFLAGS components/p2-direct.c
  link "$o/p2-direct.wasm" P2_CFLAGS P2_LDFLAGS "$o/p2-direct.o"
  node components/embed.mjs "$o/p2-direct.wasm" components/p2-direct.wit p2-direct "$out/components/p2-direct.wasm"
  compile "$o/sqlite3.o" SQLITE_CFLAGS "$SQLITE_DIR/sqlite3.c" -w # SQLite's code, not ours: no warnings
  compile "$o/sqlite-driver.o" SQLITE_CFLAGS sqlite-driver.c -Wall -Wextra -Werror -I"$SQLITE_DIR"
  link "$out/sqlite-driver.wasm" SQLITE_CFLAGS SQLITE_LDFLAGS "$o/sqlite3.o" "$o/sqlite-driver.o"
  node components/adapt.mjs "$out/sqlite-driver.wasm" "$out/components/sqlite-driver.wasm"
}

case "${1:-}" in
--check)
  # First what needs no compiler: was the SQLite cage built from the amalgamation in node_modules?
  stale=0
  if sqlite_cage_current; then sqlite_stale=0; else sqlite_stale=1; stale=1; fi
  if ! why="$(have_toolchain)"; then
    echo "check-fixtures: SKIPPED: $why (the committed .wasm files were not rebuilt and compared;" \
      "only the SQLite cages' amalgamation version was checked: $([ "$sqlite_stale" = 0 ] && echo current || echo stale))"
    exit "$stale"
  fi
  [ -n "$(amalgamation_id)" ] || exit 1 # no amalgamation to build from: said above
  tmp="$(mktemp -d)"
  TEMPS+=("$tmp")
  build_all "$tmp"
  all=("${LIND_FIXTURES[@]}" "${WASI_FIXTURES[@]}" "${BENCH_FIXTURES[@]}" "${SQLITE_FIXTURES[@]}" "${COMPONENT_FIXTURES[@]}")
  if why="$(have_lind_sysroot)"; then
    build_glibc "$tmp"
    all+=("${LIND_GLIBC_FIXTURES[@]}")
  else
    echo "check-fixtures: lind-glibc fixtures SKIPPED: $why (${LIND_GLIBC_FIXTURES[*]/%/.wasm} not checked)"
  fi
  proc_note=""
  if ! why="$(have_lind_sysroot)" || ! why="$(have_wasm_opt)"; then
    echo "check-fixtures: process fixtures SKIPPED: $why (${PROC_FIXTURES[*]/%/.wasm} not checked)"
  else
    have_version="$("$WASM_OPT" --version 2>&1 | head -n 1)"
    if [ "$have_version" != "$WASM_OPT_VERSION" ]; then
      echo "check-fixtures: WARNING: $WASM_OPT is '$have_version', but the process fixtures were built with '$WASM_OPT_VERSION' (build.sh WASM_OPT_VERSION): their bytes may differ for that reason alone"
      proc_note=" (NOTE: built here with '$have_version', not '$WASM_OPT_VERSION'; the difference may be the wasm-opt version, not the source)"
    fi
    build_proc "$tmp"
    all+=("${PROC_FIXTURES[@]}")
  fi
  for f in "${all[@]}"; do
    if [ ! -f "$HERE/$f.wasm" ]; then
      echo "check-fixtures: wasm-fixtures/$f.wasm is missing (run 'make fixtures' and commit it)"
      stale=1
    elif [ "${f#components/}" = sqlite-driver ] && [ "$sqlite_stale" = 1 ]; then
      : # its stale amalgamation was reported above
    elif ! cmp -s "$tmp/$f.wasm" "$HERE/$f.wasm"; then
      case "$f" in processes/*) note="$proc_note" ;; *) note="" ;; esac
      echo "check-fixtures: wasm-fixtures/$f.wasm is stale: it differs from a fresh build of its sources (run 'make fixtures' and commit it)$note"
      stale=1
    fi
  done
  [ "$stale" = 0 ] && echo "check-fixtures: all ${#all[@]} fixtures match their sources (SQLite from $(amalgamation_id))"
  exit "$stale"
  ;;
procs)
  command -v "$CC" >/dev/null 2>&1 || { echo "$CC not found" >&2; exit 1; }
  have_lind_sysroot >&2 || exit 1
  have_wasm_opt >&2 || exit 1
  have_version="$("$WASM_OPT" --version 2>&1 | head -n 1)"
  [ "$have_version" = "$WASM_OPT_VERSION" ] ||
    echo "process fixtures: WARNING: building with '$have_version', not the recorded '$WASM_OPT_VERSION'" >&2
  build_proc "$(cd "${2:-$HERE}" && pwd)"
  ;;
native)
  name="${2:?usage: build.sh native NAME [ARGS...]}"
  shift 2
  dir="$(mktemp -d)"
  gcc -O1 -w -fno-builtin -c -o "$dir/native.o" "$HERE/lind/native.c"
  gcc -O1 -w -fno-builtin -Dmain=lind_fixture_main -o "$dir/$name-native" "$HERE/$name.c" "$HERE/lind/lind_rt.c" "$dir/native.o"
  exec "$dir/$name-native" "$@"
  ;;
*)
  have_toolchain >&2 || exit 1
  [ -n "$(amalgamation_id)" ] || { echo "the SQLite amalgamation is missing ($HERE/$SQLITE_DIR/sqlite3.h): run 'npm ci'" >&2; exit 1; }
  build_all "${1:-$HERE}"
  if why="$(have_lind_sysroot)"; then
    build_glibc "${1:-$HERE}"
  else
    echo "lind-glibc fixtures: SKIPPED: $why (${LIND_GLIBC_FIXTURES[*]/%/.wasm} not built)" >&2
  fi
  if why="$(have_lind_sysroot)" && why="$(have_wasm_opt)"; then
    have_version="$("$WASM_OPT" --version 2>&1 | head -n 1)"
    [ "$have_version" = "$WASM_OPT_VERSION" ] ||
      echo "process fixtures: WARNING: building with '$have_version', not the recorded '$WASM_OPT_VERSION': the bytes will differ from the committed ones" >&2
    build_proc "${1:-$HERE}"
  else
    echo "process fixtures: SKIPPED: $why (${PROC_FIXTURES[*]/%/.wasm} not built)" >&2
  fi
  ;;
esac
