#!/usr/bin/env bash
# Builds the fixture cages deterministically.
#
#   wasm-fixtures/build.sh [OUTDIR]        build every fixture into OUTDIR (default: wasm-fixtures/)
#   wasm-fixtures/build.sh --check         rebuild into a temp dir, compare byte for byte with the
#                                          committed .wasm files (exit 1 naming each stale file)
#   wasm-fixtures/build.sh native NAME [ARGS...]
#                                          build a Lind-ABI fixture natively with gcc and run it
#                                          against the real Linux kernel (checks expectations)
#
# Needs clang-19 and wasm-ld-19 (lld-19), wasi-libc, and compiler-rt's wasm32 builtins
# (Debian: apt-get install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CC="${CLANG:-clang-19}"

LIND_FIXTURES=(lind-fs lind-proc)
WASI_FIXTURES=(wasi-fs wasi-misc wasi-raw demo)
# The benchmark program (bench/): one set of workloads over a small syscall shim, built for WASI and for lind.
BENCH_FIXTURES=(bench bench-lind)

# Lind-ABI cages: freestanding, shared imported env.memory (max 1024 pages), our own _start.
LIND_CFLAGS=(--target=wasm32 -nostdlib -ffreestanding -fno-builtin -O2 -matomics -mbulk-memory
  -Wall -Wextra -Werror -ffile-prefix-map="$HERE"=.)
LIND_LDFLAGS=(-Wl,--import-memory,--shared-memory,--max-memory=67108864,--no-entry
  -Wl,--export=_start,--export-memory,-z,stack-size=262144,--strip-debug)
# WASI cages: wasi-libc. --strip-debug drops libc.a's DWARF (keeps the name section).
WASI_CFLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror -ffile-prefix-map="$HERE"=.)
WASI_LDFLAGS=(-Wl,--strip-debug)

have_toolchain() {
  command -v "$CC" >/dev/null 2>&1 || { echo "$CC not found"; return 1; }
  local rt
  rt="$("$CC" --target=wasm32-wasi -print-libgcc-file-name 2>/dev/null || true)"
  [ -n "$rt" ] && [ -f "$rt" ] || { echo "compiler-rt wasm32 builtins missing ($rt); apt-get install libclang-rt-19-dev-wasm32"; return 1; }
  [ -f /usr/lib/wasm32-wasi/libc.a ] || { echo "wasi-libc missing (/usr/lib/wasm32-wasi/libc.a); apt-get install wasi-libc"; return 1; }
}

build_all() {
  local out="$1"
  mkdir -p "$out"
  cd "$HERE" # relative source paths keep the output independent of the checkout's location
  for f in "${LIND_FIXTURES[@]}"; do
    "$CC" "${LIND_CFLAGS[@]}" "${LIND_LDFLAGS[@]}" -o "$out/$f.wasm" "$f.c" lind/lind_rt.c
  done
  for f in "${WASI_FIXTURES[@]}"; do
    "$CC" "${WASI_CFLAGS[@]}" "${WASI_LDFLAGS[@]}" -o "$out/$f.wasm" "$f.c"
  done
  "$CC" "${WASI_CFLAGS[@]}" "${WASI_LDFLAGS[@]}" -o "$out/bench.wasm" bench/bench.c bench/bench-posix.c
  "$CC" "${LIND_CFLAGS[@]}" "${LIND_LDFLAGS[@]}" -o "$out/bench-lind.wasm" bench/bench.c bench/bench-lind.c lind/lind_rt.c
}

case "${1:-}" in
--check)
  if ! why="$(have_toolchain)"; then
    echo "check-fixtures: SKIPPED: $why (the committed .wasm files were not checked)"
    exit 0
  fi
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  build_all "$tmp"
  stale=0
  for f in "${LIND_FIXTURES[@]}" "${WASI_FIXTURES[@]}" "${BENCH_FIXTURES[@]}"; do
    if [ ! -f "$HERE/$f.wasm" ]; then
      echo "check-fixtures: wasm-fixtures/$f.wasm is missing (run 'make fixtures' and commit it)"
      stale=1
    elif ! cmp -s "$tmp/$f.wasm" "$HERE/$f.wasm"; then
      echo "check-fixtures: wasm-fixtures/$f.wasm is stale: it differs from a fresh build of $f.c (run 'make fixtures' and commit it)"
      stale=1
    fi
  done
  [ "$stale" = 0 ] && echo "check-fixtures: all ${#LIND_FIXTURES[@]}+${#WASI_FIXTURES[@]}+${#BENCH_FIXTURES[@]} fixtures match their sources"
  exit "$stale"
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
  build_all "${1:-$HERE}"
  ;;
esac
