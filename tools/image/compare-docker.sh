#!/usr/bin/env bash
# Where a Docker engine runs: builds the image both ways (the Dockerfile, and tools/image/build.sh without
# an engine), loads both, and compares what the app depends on: every file under /app and /usr/local/bin
# (path, type, mode, content hash, link target), and the entrypoint, command, user, working directory
# and environment. Prints the differences and exits 1 if there are any; exits 0 saying it skipped when
# no Docker engine answers.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=versions.env
source tools/image/versions.env

if ! docker info >/dev/null 2>&1; then
  echo "compare-docker: skipped: no Docker engine answers (docker info failed)"
  exit 0
fi

version=$(node -p "require('./package.json').version")
from_dockerfile=doctor-operator:$version-dockerfile
daemonless=doctor-operator:$version
work=$(mktemp -d)
containers=()
cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "compare-docker: [1/4] building $from_dockerfile with docker build..."
docker build --quiet --build-arg "NODE_VERSION=$NODE_VERSION" --build-arg "DEBIAN_SUITE=$DEBIAN_SUITE" \
  --build-arg "IMAGE_UID=$IMAGE_UID" -t "$from_dockerfile" . >/dev/null
echo "compare-docker: [2/4] building $daemonless with tools/image/build.sh and docker load..."
bash tools/image/build.sh
docker load --quiet -i ".out/image/doctor-operator-$version.docker.tar"

# One line per file: path, type, mode, link target or sha256.
describe_files() {
  local image=$1 dest=$2 container
  container=$(docker create "$image")
  containers+=("$container")
  mkdir -p "$dest"
  docker export "$container" | tar -x -C "$dest" app usr/local/bin
  (cd "$dest" && find app usr/local/bin -printf '%p %y %m %l\n' | LC_ALL=C sort) >"$dest.files"
  (cd "$dest" && find app usr/local/bin -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >>"$dest.files"
}
describe_config() {
  docker image inspect --format \
    '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Config.User}} {{.Config.WorkingDir}} {{json .Config.Env}}' "$1"
}

echo "compare-docker: [3/4] exporting both file trees..."
describe_files "$from_dockerfile" "$work/dockerfile"
describe_files "$daemonless" "$work/daemonless"

echo "compare-docker: [4/4] comparing..."
status=0
if ! diff -u "$work/dockerfile.files" "$work/daemonless.files"; then
  echo "compare-docker: the files under /app and /usr/local/bin differ (- Dockerfile, + make image)" >&2
  status=1
fi
if ! diff -u <(describe_config "$from_dockerfile") <(describe_config "$daemonless"); then
  echo "compare-docker: entrypoint, command, user, working directory or environment differ" >&2
  status=1
fi
((status == 0)) && echo "compare-docker: same files ($(wc -l <"$work/daemonless.files") lines), entrypoint and user"
exit "$status"
