# syntax=docker/dockerfile:1
# Exam Hall: one image for every role. EXAM_HALL_ROLE picks what a container
# runs: api (HTTP, web app, sockets), worker (background jobs) or all.
#
#   docker build -t exam-hall .
#   docker compose up        (see docker-compose.yml and example.env)
#
# Node 24 runs the TypeScript sources directly (type stripping), so the only
# build step is the SvelteKit web app. Node will not strip types for files under
# node_modules, but the workspace packages are symlinks there and resolve to
# their real folders (/app/server, /app/protocol, ...), so those folders stay
# at their usual places in the image.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: every dependency, the web build, then production deps only -------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false

# Manifests first: the dependency layer is rebuilt only when one changes.
# A new workspace needs its package.json added here.
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY server/package.json server/
COPY contracts/package.json contracts/
COPY web/package.json web/

# `npm install` with the lock file rather than `npm ci`: npm ci fails when the
# registry lacks some platforms' optional binaries (Hardhat's simulator), which
# npm then leaves out of the lock file.
RUN --mount=type=cache,target=/root/.npm \
    npm install --no-audit --no-fund

COPY . .
# The web build needs devDependencies (vite, SvelteKit); its output is
# self-contained, so the runtime needs none of them.
RUN npm run build -w web \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime ---------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    npm_config_update_notifier=false
WORKDIR /app

# Owned by root and read-only for the `node` user the process runs as.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/protocol ./protocol
COPY --from=build /app/server ./server
COPY --from=build /app/contracts ./contracts
COPY --from=build /app/web/package.json ./web/package.json
COPY --from=build /app/web/build ./web/build

USER node
EXPOSE 3000

# GET /healthz answers 200 while PostgreSQL answers ("degraded" when Redis is
# down: saves still work, and Redis is shared, so every instance would fail at
# once), 503 when PostgreSQL does not.
# A worker-only container has no HTTP server: docker-compose.yml turns this
# check off for it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Node is PID 1 and handles SIGTERM itself: it stops taking work, lets
# in-flight requests finish (at most SHUTDOWN_TIMEOUT_MS) and running jobs
# complete, then exits.
CMD ["node", "server/src/main.ts"]
