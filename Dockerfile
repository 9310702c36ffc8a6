# syntax=docker/dockerfile:1
# The doctor-operator image for machines with Docker: one image for `doctor operator`, `doctor monitor`
# and `doctor consumer`. `make image-docker` builds it with the pinned versions of tools/image/versions.env;
# `make image` builds the same files, entrypoint and user without any container engine
# (tools/image/build.sh), and `make image-compare` checks that the two agree.
ARG DEBIAN_SUITE=trixie
ARG NODE_VERSION=24.22.3

# ---- build: compile TypeScript ----
FROM node:${NODE_VERSION}-${DEBIAN_SUITE}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json

# ---- production dependencies, installed as tools/image/build.sh installs them ----
FROM node:${NODE_VERSION}-${DEBIAN_SUITE}-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error && rm package-lock.json

# ---- runtime ----
FROM debian:${DEBIAN_SUITE}-slim
ARG IMAGE_UID=65532
# ca-certificates: TLS roots for the API server and Keystone. fping: the monitor probes all its peers with
# one fping (src/monitor/fping-prober.ts); iputils-ping: its one-shot fallback while fping restarts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates fping iputils-ping \
 && rm -rf /var/lib/apt/lists/* \
 && echo "nonroot:x:${IMAGE_UID}:${IMAGE_UID}:nonroot:/nonexistent:/usr/sbin/nologin" >> /etc/passwd \
 && echo "nonroot:x:${IMAGE_UID}:" >> /etc/group
COPY --from=build /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
# package.json is read at run time for the version (src/version.ts).
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# `doctor` on PATH: the monitor DaemonSet runs `doctor monitor ...`. cli.js starts with #!/usr/bin/env node.
RUN chmod 0755 /app/dist/src/cli.js && ln -s /app/dist/src/cli.js /usr/local/bin/doctor
ENV NODE_ENV=production

# Non-root by default (the operator Deployment also sets runAsUser 65532 and runAsNonRoot).
#
# The monitor needs to send ICMP echo. The DaemonSet drops every capability but NET_RAW and sets
# allowPrivilegeEscalation=false (no_new_privs). Under no_new_privs the file capability Debian puts on
# /bin/ping (or its setuid bit) grants nothing, and a non-root process keeps no capability across exec, so
# the monitor container runs as uid 0 with NET_RAW as its only capability: raw ICMP works and nothing else
# is gained.
USER 65532:65532
ENTRYPOINT ["doctor"]
CMD ["--help"]
