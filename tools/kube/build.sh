#!/usr/bin/env bash
# Builds the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl,
# kwok, helm) from their Go modules into .cache/kube/<version>/bin. Never downloads a prebuilt binary.
#
# Reuse, fastest first:
#   1. .cache/kube/<version>/bin with a matching stamp: nothing to do.
#   2. the machine cache ($DOCTOR_MACHINE_CACHE, default ~/.cache/doctor-operator) with a matching stamp:
#      copied in, so a fresh clone on a machine that built before starts in seconds.
#   3. otherwise build (cold: tens of minutes on 2 cores; Go's own build cache makes rebuilds quick).
# The stamp is a hash of the wrapper modules and this script, so changing a pinned version rebuilds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="$(cat "$here/VERSION")"
out="$repo/.cache/kube/$version/bin"
logs="$repo/.cache/kube/$version/logs"
machine_cache="${DOCTOR_MACHINE_CACHE:-$HOME/.cache/doctor-operator}/kube/$version/bin"
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok helm)

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

stamp() {
  (cd "$here" && cat build.sh VERSION ./*/go.mod ./*/go.sum && go version) | sha256sum | cut -d' ' -f1
}

complete_in() {
  local dir="$1" want="$2" b
  [[ -f "$dir/.stamp" && "$(cat "$dir/.stamp")" == "$want" ]] || return 1
  for b in "${binaries[@]}"; do [[ -x "$dir/$b" ]] || return 1; done
}

fail() {
  echo "kube-bin: FAILED at step '$1'. Read the log: $2" >&2
  echo "kube-bin: last lines of that log:" >&2
  tail -n 20 "$2" >&2 || true
  exit 1
}

command -v go >/dev/null || { echo "kube-bin: FAILED: 'go' is not on PATH (install Go >= 1.26, see README)" >&2; exit 1; }

want="$(stamp)"
if complete_in "$out" "$want"; then
  echo "kube-bin: binaries for Kubernetes $version present in $out (cached)"
  exit 0
fi
if complete_in "$machine_cache" "$want"; then
  mkdir -p "$out"
  cp -p "$machine_cache"/* "$out"/
  cp -p "$machine_cache/.stamp" "$out/.stamp"
  echo "kube-bin: copied binaries for Kubernetes $version from the machine cache $machine_cache"
  exit 0
fi

mkdir -p "$out" "$logs"
rm -f "$out/.stamp"
minor="${version#v1.}"; minor="${minor%%.*}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  kube_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done
etcd_version="$(awk '/go.etcd.io\/etcd\/server\/v3 /{print $2; exit}' "$here/etcd/go.mod")"
kwok_version="$(awk '/sigs.k8s.io\/kwok /{print $2; exit}' "$here/kwok/go.mod")"
helm_version="$(awk '/helm.sh\/helm\/v3 /{print $2; exit}' "$here/helm/go.mod")"

# module dir | package | binary | ldflags
steps=(
  "etcd|go.etcd.io/etcd/server/v3|etcd|-s -w"
  "kubernetes|k8s.io/kubernetes/cmd/kube-apiserver|kube-apiserver|$kube_ldflags"
  "kubernetes|k8s.io/kubernetes/cmd/kube-controller-manager|kube-controller-manager|$kube_ldflags"
  "kubernetes|k8s.io/kubernetes/cmd/kube-scheduler|kube-scheduler|$kube_ldflags"
  "kubernetes|k8s.io/kubernetes/cmd/kubectl|kubectl|$kube_ldflags"
  "kwok|sigs.k8s.io/kwok/cmd/kwok|kwok|-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$kwok_version"
  "helm|helm.sh/helm/v3/cmd/helm|helm|-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version"
)
echo "kube-bin: building Kubernetes $version, etcd $etcd_version, kwok $kwok_version, helm $helm_version"
echo "kube-bin: from Go modules into $out (a cold build takes 20-40 min on 2 cores; logs in $logs)"
total=${#steps[@]}
i=0
start_all=$SECONDS
for step in "${steps[@]}"; do
  IFS='|' read -r mod pkg bin flags <<<"$step"
  i=$((i + 1))
  log="$logs/$bin.log"
  start=$SECONDS
  echo "kube-bin: [$i/$total] building $bin ..."
  if ! (cd "$here/$mod" && go build -trimpath -ldflags "$flags" -o "$out/$bin" "$pkg") >"$log" 2>&1; then
    fail "build $bin" "$log"
  fi
  echo "kube-bin: [$i/$total] $bin built in $((SECONDS - start)) s"
done

# Prove the version stamp took: a binary that says v0.0.0 would confuse kubectl version skew checks.
"$out/kube-apiserver" --version | grep -q "$version" || fail "check kube-apiserver --version" "$logs/kube-apiserver.log"

echo "$want" >"$out/.stamp"
if mkdir -p "$machine_cache" 2>/dev/null && cp -p "$out"/* "$machine_cache"/ 2>/dev/null; then
  cp -p "$out/.stamp" "$machine_cache/.stamp"
fi
echo "kube-bin: all ${total} binaries built in $((SECONDS - start_all)) s into $out"
