#!/usr/bin/env bash
# make e2e-kind: the fault path on a real cluster (kind: Kubernetes nodes as Docker containers).
#   kind cluster (1 control plane + 3 labelled workers) -> image built and loaded -> helm install ->
#   consumer + FaultPolicy -> a monitor Pod on every worker -> `docker stop` one worker ->
#   its HostHealth Down, its Node tainted, the consumer notified.
# Without a running Docker engine it says so and exits 0. Every wait is bounded; the cluster is deleted on
# exit (KEEP_CLUSTER=1 keeps it for debugging). KIND_NODE_IMAGE overrides kind's default node image.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/test/e2e-kind"
say() { echo "e2e-kind: $*"; }

if ! command -v docker >/dev/null; then
  say "SKIPPED: needs a running Docker engine; the docker CLI is not even installed"
  exit 0
fi
if ! docker_error="$(docker info 2>&1 >/dev/null)"; then
  say "SKIPPED: needs a running Docker engine and found none (docker info failed: $(tail -n1 <<<"$docker_error"))"
  exit 0
fi

version="$(cat "$repo/tools/kube/VERSION")"
bin="$repo/.cache/kube/$version/bin"
bash "$repo/tools/kube/build.sh" # kubectl and helm (cached after the first build)
if [[ ! -x "$bin/kind" || "$repo/tools/kind/go.mod" -nt "$bin/kind" ]]; then
  say "building kind from its Go module (tools/kind) into $bin"
  (cd "$repo/tools/kind" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod \
    go build -trimpath -ldflags "-s -w" -o "$bin/kind" sigs.k8s.io/kind)
fi
export PATH="$bin:$PATH"

cluster="doctor-e2e-$$"
work="$repo/.cache/kind/$cluster"
mkdir -p "$work"
export KUBECONFIG="$work/kubeconfig"
ns=doctor-system
policy=kind-compute

diagnose() {
  say "FAILED; state of the cluster:"
  kubectl get nodes,pods -A -o wide || true
  kubectl get faultpolicy,hosthealth -o wide || true
  kubectl -n "$ns" logs -l app.kubernetes.io/component=operator --tail=80 --prefix || true
  kubectl -n "$ns" logs deploy/doctor-consumer --tail=20 || true
}
cleanup() {
  local code=$?
  ((code == 0)) || diagnose
  if [[ "${KEEP_CLUSTER:-}" == 1 ]]; then
    say "kept cluster $cluster (KUBECONFIG=$KUBECONFIG); delete it with: kind delete cluster --name $cluster"
  else
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
  exit "$code"
}
trap cleanup EXIT

# wait_for SECONDS WHAT COMMAND...: retries COMMAND every 2 s until it succeeds or SECONDS have passed.
wait_for() {
  local limit="$1" what="$2" deadline=$((SECONDS + $1))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      say "timed out after $limit s waiting for $what"
      return 1
    fi
    sleep 2
  done
  say "ok: $what"
}

say "creating kind cluster $cluster"
kind create cluster --name "$cluster" --config "$here/kind-config.yaml" --kubeconfig "$KUBECONFIG" \
  ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"} --wait 180s

say "building the image doctor-operator:e2e and loading it into the nodes"
docker build -t doctor-operator:e2e "$repo"
kind load docker-image doctor-operator:e2e --name "$cluster"

# Cluster DNS on the control plane too: monitors and the operator resolve Service names, and a CoreDNS
# replica on the stopped worker would time out half their lookups until its endpoint is removed.
kubectl -n kube-system patch deployment coredns --type merge \
  -p '{"spec":{"template":{"spec":{"nodeSelector":{"node-role.kubernetes.io/control-plane":""}}}}}'
kubectl -n kube-system rollout status deployment coredns --timeout=120s

# The monitors use the host network and NET_RAW: the namespace must allow privileged Pods.
kubectl create namespace "$ns"
kubectl label namespace "$ns" pod-security.kubernetes.io/enforce=privileged
helm install doctor-operator "$repo/helm/doctor-operator" --namespace "$ns" --values "$here/values.yaml"
kubectl apply -f "$here/consumer.yaml"

# The checks read whole outputs (no grep -q): an early exit would SIGPIPE kubectl and fail under pipefail.
operator_leads() {
  kubectl -n "$ns" get pods -l app.kubernetes.io/component=operator \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -x True
}
wait_for 180 "an operator replica to lead (Ready)" operator_leads
wait_for 120 "the consumer to be available" kubectl -n "$ns" wait --for=condition=Available deploy/doctor-consumer --timeout=5s

kubectl apply -f "$here/policy.yaml"
workers="$(kubectl get nodes -l openstack-compute-node=enabled -o jsonpath='{.items[*].metadata.name}' | tr ' ' '\n' | sort)"
[[ "$(wc -l <<<"$workers")" == 3 ]] || { say "expected 3 labelled workers, found: $workers"; exit 1; }

monitors_on_every_worker() {
  local running
  running="$(kubectl -n "$ns" get pods -l "doctor.io/policy=$policy" --field-selector=status.phase=Running \
    -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort)"
  [[ "$running" == "$workers" ]]
}
wait_for 180 "a Running monitor Pod on every worker" monitors_on_every_worker
hosts_healthy() {
  [[ "$(kubectl get hosthealth -o jsonpath='{range .items[*]}{.status.state}{"\n"}{end}' | grep -cx Healthy)" == 3 ]]
}
wait_for 120 "three Healthy HostHealths" hosts_healthy

victim="$(sed -n 2p <<<"$workers")"
say "injecting the fault: docker stop $victim"
docker stop --time 1 "$victim" >/dev/null

host_down() { [[ "$(kubectl get hosthealth "$victim" -o jsonpath='{.status.state}')" == Down ]]; }
node_tainted() { kubectl get node "$victim" -o jsonpath='{.spec.taints[*].key}' | grep -w doctor.io/host-down; }
consumer_notified() {
  kubectl -n "$ns" logs deploy/doctor-consumer | grep 'doctor consumer notified' | grep io.doctor.host.down |
    grep -F "$victim"
}
wait_for 90 "HostHealth $victim to be Down" host_down
wait_for 60 "Node $victim to carry the doctor.io/host-down taint" node_tainted
wait_for 120 "the consumer to be notified about $victim" consumer_notified

kubectl get hosthealth -o wide
say "PASSED"
