# syntax=docker/dockerfile:1
# The doctor-operator image: one image for `doctor operator`, `doctor monitor` and `doctor consumer`.
# Build with `make image` (docker build -t doctor-operator:<version> .).

# ---- build: compile TypeScript, then keep only the production dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime ----
FROM node:20-bookworm-slim
# fping: the monitor probes all its peers with one fping (src/monitor/fping-prober.ts); iputils-ping:
# its one-shot fallback while fping restarts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fping iputils-ping \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# package.json is read at run time for the version (src/version.ts).
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# `doctor` on PATH: the monitor DaemonSet runs `doctor monitor ...`. cli.js starts with #!/usr/bin/env node.
RUN chmod 0755 /app/dist/src/cli.js && ln -s /app/dist/src/cli.js /usr/local/bin/doctor
ENV NODE_ENV=production

# Non-root by default (the operator Deployment also sets runAsUser 65532 and runAsNonRoot).
#
# The monitor needs to send ICMP echo. The DaemonSet drops every capability but NET_RAW and sets
# allowPrivilegeEscalation=false (no_new_privs). Under no_new_privs the file capability Debian puts on
# /bin/ping (or its setuid bit) grants nothing, and a non-root process keeps no capability across exec, so
# a non-root monitor can ping only through ICMP datagram sockets, which the host's
# net.ipv4.ping_group_range must allow (systemd >= 243 sets 0 2147483647; the monitor uses the host
# network, so the host's value counts). Where it does not, run the monitor container as uid 0: with
# capabilities dropped to NET_RAW alone, raw ICMP works and nothing else is gained.
USER 65532:65532
ENTRYPOINT ["doctor"]
CMD ["--help"]
