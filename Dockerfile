# syntax=docker/dockerfile:1@sha256:87999aa3d42bdc6bea60565083ee17e86d1f3339802f543c0d03998580f9cb89

# The frontend above is pinned by digest too: BuildKit pulls it at build time, and a tag could move.
# Its digest is the one public repositories pin for docker/dockerfile:1 (no registry is reachable where
# it was chosen); refresh it on purpose with `docker buildx imagetools inspect docker/dockerfile:1`.
#
# Base images are pinned by digest: a tag can be moved to other content (by its publisher or by an
# attacker who takes over the repository), a digest cannot. The digests were taken from the images'
# public pins, and Dependabot's docker ecosystem keeps them fresh (.github/dependabot.yml), rewriting
# digest and tag together. Every FROM names its image literally, never through an ARG: Checkov does not
# substitute ARGs (CKV_DOCKER_7 fails `FROM ${IMAGE}`) and Dependabot reads only FROM lines
# (dependabot/dependabot-core#2057). A test swaps in local stand-ins by the image reference itself:
# `podman build --build-context '<reference>=container-image://<stand-in>'` (test/container/run.mjs).

# npm as both install stages use it. Dependency install scripts are a supply-chain attack path and none
# is needed: --ignore-scripts below, and HUSKY=0 so the git-hook installer stays out even if one runs.
# node:24-bookworm-slim (Node 24 LTS on Debian 12; glibc, the tier Node supports fully)
FROM node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d AS npm-base
WORKDIR /app
ENV HUSKY=0 \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json .npmrc ./

# Bundles the service with every dependency, dev tools included; nothing of this stage ships but dist/:
# the launcher, the bundle (Express, helmet, pino and the rest inside), the health probe, the SBOM and
# build-info.json (scripts/build.mjs). `npm run build` makes the same files on a developer's machine and
# in CI, where the tests and the benchmarks run them.
FROM npm-base AS build
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/code-cache.mjs ./scripts/
COPY src/ ./src/
# Recorded in dist/build-info.json; empty means the build falls back to git (absent here: "unknown").
ARG LAST_COMMIT_SHA=""
RUN npm run build
# The port the runtime stage EXPOSEs comes in as a build arg, and must be src/service.json's, where the
# service reads its default: every build of the project passes it (the container test, the gates, CI:
# `--build-arg SERVICE_PORT="$(jq -r .port src/service.json)"`), and a missing or other value fails here,
# so moving the port is one edit to src/service.json.
ARG SERVICE_PORT=""
# reason: the single quotes are meant: `${port}` is a JavaScript template literal for node, not for the
# shell, so ShellCheck's SC2016 is accepted for this instruction only. expires: 2027-06-01
# hadolint ignore=SC2016
RUN node -e 'const { port } = require("./src/service.json"); if (process.env.SERVICE_PORT !== String(port)) { console.error(`pass --build-arg SERVICE_PORT=${port} (src/service.json), got "${process.env.SERVICE_PORT}"`); process.exit(1); }'

# The V8 code cache of the bundle, made again by the Node of the runtime image itself and as its user:
# a cache is tied to the V8 version and flags of the Node that made it, and the build stage's Node is
# another binary. `verify` runs in a fresh process and fails the build if that Node rejects the cache
# it just made. At run time a rejected cache only costs start-up time (src/launcher.ts).
FROM gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a AS code-cache
COPY --from=build /app/dist /app/dist
COPY scripts/code-cache.mjs /app/scripts/code-cache.mjs
# The runtime user by uid (its group comes from the image's /etc/passwd, nonroot's own); written without
# the gid, so that the final stage's line stays the only one naming uid and gid (tests plant defects in it).
USER 65532
RUN ["/nodejs/bin/node", "/app/scripts/code-cache.mjs", "make", "/app/dist", "/tmp/service.js.cache"]
# reason: two RUNs on purpose (verify needs a fresh process, and exec form has no shell to chain them), so
# hadolint's DL3059 is accepted for this instruction only (.hadolint.yaml ignores nothing). expires: 2027-06-01
# hadolint ignore=DL3059
RUN ["/nodejs/bin/node", "/app/scripts/code-cache.mjs", "verify", "/app/dist", "/tmp/service.js.cache"]

# What runs: distroless Node (no shell, no npm, no package manager), the bundled service and
# package.json; no node_modules: the bundle holds the production dependencies, and Trivy finds them in
# dist/sbom.cdx.json (its image scan reads *.cdx.json files; docs/pipeline.md). Every file and /app
# itself stay owned by root, so the service cannot rewrite, rename or add code even where the root
# filesystem is writable; the code cache is read-only to everyone. COPY comes before WORKDIR on purpose:
# WORKDIR would create /app owned by the base image's user (65532).
# gcr.io/distroless/nodejs24-debian12:nonroot (no shell, no package manager, no npm)
FROM gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a AS runtime
COPY --from=build /app/dist /app/dist
COPY --from=code-cache --chown=0:0 --chmod=0444 /tmp/service.js.cache /app/dist/service.js.cache
COPY package.json /app/package.json
WORKDIR /app

# Empty build args mean "unset": the service then reports the version and commit that the build
# recorded in dist/build-info.json, and its default description.
ARG APP_VERSION=""
ARG DESCRIPTION=""
ARG LAST_COMMIT_SHA=""
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="secure-healthcheck-service" \
      org.opencontainers.image.version="${APP_VERSION}" \
      org.opencontainers.image.revision="${LAST_COMMIT_SHA}" \
      org.opencontainers.image.description="${DESCRIPTION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="MIT"
# NODE_ENV=production: Express then hides stack traces and caches views.
ENV NODE_ENV=production \
    APP_VERSION="${APP_VERSION}" \
    DESCRIPTION="${DESCRIPTION}" \
    LAST_COMMIT_SHA="${LAST_COMMIT_SHA}"

# The distroless "nonroot" user, by number: a runtime (Kubernetes runAsNonRoot) can only verify a
# numeric user, and a name would depend on the image's /etc/passwd.
USER 65532:65532
# Checked against src/service.json in the build stage above.
ARG SERVICE_PORT
EXPOSE ${SERVICE_PORT}
# The service drains on SIGTERM itself (it runs as PID 1, with no init to forward signals).
STOPSIGNAL SIGTERM
# Exec form: the runtime image has no shell and no curl; the probe is a small Node client.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/nodejs/bin/node", "/app/dist/healthprobe.js"]
# Node itself, never npm: npm would sit between the signals and the service, and is absent here anyway.
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["/app/dist/main.js"]
