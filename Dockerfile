# syntax=docker/dockerfile:1
# One image for every app: `docker run answerbridge gateway|worker|console|simulator|kb [arguments]`.
# Build from the repository root: docker build -t answerbridge .
# Node 24 LTS (Node 20 reached its end of life in April 2026). test/deploy/node24-runtime.test.ts runs the
# production bundle on exactly this version (from the npm package `node`), so keep the two in step.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# ---- build: full dependencies, esbuild bundles, then a production-only runtime folder ----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts/build.mjs ./scripts/build.mjs
COPY tsconfig.base.json ./
# An npm registry mirror when registry.npmjs.org is slow or unreachable from the build host:
# --build-arg NPM_REGISTRY=https://<your mirror>/ (npm rewrites the lockfile's registry.npmjs.org URLs to it).
ARG NPM_REGISTRY=https://registry.npmjs.org/
# The lockfile pins every version; install scripts are not needed to bundle (esbuild's binary comes as
# an optional dependency of its own).
RUN npm ci --registry="${NPM_REGISTRY}" --ignore-scripts --no-audit --no-fund
COPY data ./data
COPY config/bots.example.json ./config/bots.example.json
COPY deploy/docker ./deploy/docker
RUN npm_config_registry="${NPM_REGISTRY}" bash deploy/docker/assemble-runtime.sh /runtime

# ---- runtime: Node 24 slim, production dependencies only, not root ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    GATEWAY_HOST=0.0.0.0 \
    CONSOLE_HOST=0.0.0.0 \
    METRICS_HOST=0.0.0.0 \
    SIMULATOR_HOST=0.0.0.0 \
    BOTS_FILE=/etc/answerbridge/bots.json \
    CONSOLE_USERS_FILE=/etc/answerbridge/console-users.json
WORKDIR /app
# Owned by root and read-only to the app: it writes nothing but logs to stdout (read_only filesystems work).
COPY --from=build /runtime /app
USER 1000:1000
EXPOSE 3000 3200 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
ENTRYPOINT ["node", "--enable-source-maps", "/app/run-app.mjs"]
CMD ["gateway"]
