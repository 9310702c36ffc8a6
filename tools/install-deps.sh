#!/usr/bin/env bash
# Installs the Debian packages the demo, the tests and the benchmarks use, where they are missing:
#   ping (iputils-ping)  the monitor's probes     ip (iproute2)    network namespaces for simulated hosts
#   fping                the batch prober option  openssl          the local control plane's certificates
#   make, ca-certificates (what CI needs to run make and npm ci)
#   mmdebstrap, umoci, skopeo, runc: build and run the container image without a container engine
# As root (or with password-less sudo) it runs apt-get; otherwise it prints the exact command and fails.
# Run by .ci/run and by `make demo`, `make test` and `make bench`; quick when nothing is missing.
set -euo pipefail

# command the tools use : Debian package that provides it
wanted=(ping:iputils-ping ip:iproute2 fping:fping openssl:openssl make:make
  mmdebstrap:mmdebstrap umoci:umoci skopeo:skopeo runc:runc)
missing=()
for pair in "${wanted[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
[[ -e /etc/ssl/certs/ca-certificates.crt ]] || missing+=(ca-certificates)

if ((${#missing[@]} == 0)); then
  exit 0
fi

install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: missing ${missing[*]} (Debian package names) and apt-get is not available:" >&2
  echo "install-deps: install the equivalent packages with this system's package manager, then retry" >&2
  exit 1
fi
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo)
else
  echo "install-deps: missing Debian packages: ${missing[*]}. Install them as root, then retry:" >&2
  echo "  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive ${install[*]}'" >&2
  exit 1
fi
echo "install-deps: installing Debian packages: ${missing[*]}"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}"
