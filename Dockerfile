# syntax=docker/dockerfile:1
#
# One Dockerfile for every service; pick the service with --target:
#   docker build --target router .                  (also: model-executor, speculative-collector, cli)
# docker-compose.yml builds each service from its target. Stages:
#   build    npm ci + nx build of every project
#   deps     production dependencies only (npm ci --omit=dev)
#   runtime  node:20-slim, non-root, compiled dist/ of libs and apps + proto/ (server reflection loads it)

ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /repo
COPY . .
RUN npm ci --no-audit --no-fund
RUN npx nx run-many -t build --outputStyle=static
# Only what runs: each workspace's package.json (npm needs all of them to honour the lockfile) and dist/.
RUN set -eu; mkdir -p /out; \
    cp package.json package-lock.json /out/; \
    cp -r proto /out/proto; \
    for d in libs/* apps/* tools/*; do \
      mkdir -p "/out/$d"; cp "$d/package.json" "/out/$d/"; \
      case "$d" in libs/*|apps/*) cp -r "$d/dist" "/out/$d/dist" ;; esac; \
    done; \
    cp -r apps/cli/bin /out/apps/cli/bin; \
    find /out -name '*.tsbuildinfo' -delete

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=build /out/ ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=deps --chown=node:node /app ./
USER node
# Asks the service's standard gRPC health service (HEALTH_ADDRESS is set per target below).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "require('@modelserving/transport').checkHealth(process.env.HEALTH_ADDRESS,'',2000).then(s=>process.exit(s==='SERVING'?0:1),()=>process.exit(1))"

FROM runtime AS router
ENV ROUTER_PORT=50051 HEALTH_ADDRESS=127.0.0.1:50051
EXPOSE 50051
CMD ["node", "apps/router/dist/main.js"]

FROM runtime AS model-executor
ENV EXECUTOR_PORT=50061 HEALTH_ADDRESS=127.0.0.1:50061
EXPOSE 50061
CMD ["node", "apps/model-executor/dist/main.js"]

FROM runtime AS speculative-collector
ENV COLLECTOR_PORT=50071 HEALTH_ADDRESS=127.0.0.1:50071
EXPOSE 50071
CMD ["node", "apps/speculative-collector/dist/main.js"]

# The CLI as a container: docker compose run --rm cli list
FROM runtime AS cli
HEALTHCHECK NONE
ENTRYPOINT ["node", "apps/cli/dist/main.js"]
CMD ["--help"]
