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
# The lind-glibc fixtures also need Lind's prebuilt sysroot, lind-sysroot.tar.xz (from
# ../shared/lind-sysroot/ beside the checkout, or $LIND_SYSROOT_TAR); it is extracted into a
# temporary directory for the build and removed after. Without it they are skipped, loudly.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CC="${CLANG:-clang-19}"

LIND_FIXTURES=(lind-fs lind-proc)
WASI_FIXTURES=(wasi-fs wasi-misc wasi-raw demo)
# The benchmark program (bench/): one set of workloads over a small syscall shim, built for WASI and for lind.
BENCH_FIXTURES=(bench bench-lind)
# Cages built against Lind's real glibc for wasm32 (lind-glibc/), each .wasm beside its source.
LIND_GLIBC_FIXTURES=(lind-glibc/lind-glibc)
LIND_SYSROOT_TAR="${LIND_SYSROOT_TAR:-$HERE/../../shared/lind-sysroot/lind-sysroot.tar.xz}"

# Lind-ABI cages: freestanding, shared imported env.memory (max 1024 pages), our own _start.
LIND_CFLAGS=(--target=wasm32 -nostdlib -ffreestanding -fno-builtin -O2 -matomics -mbulk-memory
  -Wall -Wextra -Werror -ffile-prefix-map="$HERE"=.)
LIND_LDFLAGS=(-Wl,--import-memory,--shared-memory,--max-memory=67108864,--no-entry
  -Wl,--export=_start,--export-memory,-z,stack-size=262144,--strip-debug)
# WASI cages: wasi-libc. --strip-debug drops libc.a's DWARF (keeps the name section).
WASI_CFLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror -ffile-prefix-map="$HERE"=.)
WASI_LDFLAGS=(-Wl,--strip-debug)
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

have_lind_sysroot() {
  [ -f "$LIND_SYSROOT_TAR" ] || { echo "no Lind sysroot at $LIND_SYSROOT_TAR (set LIND_SYSROOT_TAR)"; return 1; }
  command -v xz >/dev/null 2>&1 || { echo "xz not found (needed to unpack $LIND_SYSROOT_TAR)"; return 1; }
}

# Builds the lind-glibc cages into OUT (same relative paths), with the sysroot unpacked in a temp dir.
build_glibc() {
  local out="$1" sysroot_dir
  cd "$HERE"
  sysroot_dir="$(mktemp -d)"
  tar -xJf "$LIND_SYSROOT_TAR" -C "$sysroot_dir"
  local s="$sysroot_dir/lind-sysroot" status=0
  for f in "${LIND_GLIBC_FIXTURES[@]}"; do
    mkdir -p "$out/$(dirname "$f")"
    "$CC" --sysroot="$s" "${GLIBC_CFLAGS[@]}" "${GLIBC_LDFLAGS[@]}" -o "$out/$f.wasm" "$f.c" "$s/lib/wasm32-wasi/lind_utils.o" || status=1
  done
  rm -rf "$sysroot_dir"
  return "$status"
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
  checked=("${LIND_FIXTURES[@]}" "${WASI_FIXTURES[@]}" "${BENCH_FIXTURES[@]}")
  if why="$(have_lind_sysroot)"; then
    build_glibc "$tmp"
    checked+=("${LIND_GLIBC_FIXTURES[@]}")
  else
    echo "check-fixtures: lind-glibc fixtures SKIPPED: $why (${LIND_GLIBC_FIXTURES[*]/%/.wasm} not checked)"
  fi
  stale=0
  for f in "${checked[@]}"; do
    if [ ! -f "$HERE/$f.wasm" ]; then
      echo "check-fixtures: wasm-fixtures/$f.wasm is missing (run 'make fixtures' and commit it)"
      stale=1
    elif ! cmp -s "$tmp/$f.wasm" "$HERE/$f.wasm"; then
      echo "check-fixtures: wasm-fixtures/$f.wasm is stale: it differs from a fresh build of $f.c (run 'make fixtures' and commit it)"
      stale=1
    fi
  done
  [ "$stale" = 0 ] && echo "check-fixtures: all ${#checked[@]} fixtures match their sources"
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
  if why="$(have_lind_sysroot)"; then
    build_glibc "${1:-$HERE}"
  else
    echo "lind-glibc fixtures: SKIPPED: $why (${LIND_GLIBC_FIXTURES[*]/%/.wasm} not built)" >&2
  fi
  ;;
esac
