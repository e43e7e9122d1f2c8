#
# One Dockerfile for every service; pick the service with --target:
#   docker build --target router .                  (also: model-executor, speculative-collector, cli)
# docker-compose.yml builds each service from its target. Stages:
#   manifests  the root and workspace package.json files + lockfile, so `npm ci` is cached until they change
#   build      npm ci + nx build of the four apps and the libs they use
#   <t>-files  one per target: the dist/ of that app and of the workspaces it depends on (production
#              dependencies only, followed transitively), proto/, and `npm ci --omit=dev -w <app>`: the
#              router image has no tfjs, PMML or PFA; only the executor and the CLI carry them
#   runtime    node:20-slim, non-root; each target copies its own <t>-files into it
# No `# syntax=` line: it would make BuildKit fetch a frontend image for nothing, and the classic
# builder ignores it.

ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
# Every workspace that has a package.json (a folder such as tools/scripts has none), found from the
# root's "workspaces" globs so a new lib needs no change here.
RUN set -eu; mkdir -p /manifests; cp package.json package-lock.json /manifests/; \
    for f in $(node -p "require('./package.json').workspaces.map(w => w + '/package.json').join(' ')"); do \
      [ -f "$f" ] || continue; mkdir -p "/manifests/$(dirname "$f")"; cp "$f" "/manifests/$f"; \
    done

FROM ${NODE_IMAGE} AS build
WORKDIR /repo
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx run-many -t build --outputStyle=static \
      -p @modelserving/router,@modelserving/model-executor,@modelserving/speculative-collector,@modelserving/cli
# stage-workspace <package>: /out gets what that package needs at run time (tools/scripts/stage-workspace.mjs)
# and its production node_modules.
RUN printf '%s\n' '#!/bin/sh' 'set -eu' 'rm -rf /out; mkdir -p /out' \
      'node tools/scripts/stage-workspace.mjs "$1" /out' \
      'cd /out && npm ci --omit=dev -w "$1" --include-workspace-root=false --ignore-scripts --prefer-offline --no-audit --no-fund' \
      'find /out -name "*.tsbuildinfo" -delete' \
      > /usr/local/bin/stage-workspace \
 && chmod +x /usr/local/bin/stage-workspace

FROM build AS router-files
RUN stage-workspace @modelserving/router

FROM build AS model-executor-files
RUN stage-workspace @modelserving/model-executor

FROM build AS speculative-collector-files
RUN stage-workspace @modelserving/speculative-collector

FROM build AS cli-files
RUN stage-workspace @modelserving/cli

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0
WORKDIR /app
# The app folder belongs to the service user, so a service that keeps data under its working directory
# (the embedded store without Redis) can write it.
RUN chown node:node /app
USER node
# Each service's health check asks its standard gRPC health service on the port the service was
# configured with at run time (ROUTER_PORT, EXECUTOR_PORT, COLLECTOR_PORT: the same variable the service
# reads), so overriding the port in compose or `docker run -e` keeps the check right. The timeouts are
# generous because a busy host can take seconds just to start node for the check; failures in the first
# 60 s (start period) do not count, and a service that is up before then is healthy at its first check.

FROM runtime AS router
COPY --from=router-files --chown=node:node /out/ ./
ENV ROUTER_PORT=50051
EXPOSE 50051
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 \
  CMD node -e "require('@modelserving/transport').checkHealth('127.0.0.1:'+(process.env.ROUTER_PORT||50051),'',5000).then(s=>process.exit(s==='SERVING'?0:1),()=>process.exit(1))"
CMD ["node", "apps/router/dist/main.js"]

FROM runtime AS model-executor
COPY --from=model-executor-files --chown=node:node /out/ ./
ENV EXECUTOR_PORT=50061
EXPOSE 50061
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 \
  CMD node -e "require('@modelserving/transport').checkHealth('127.0.0.1:'+(process.env.EXECUTOR_PORT||50061),'',5000).then(s=>process.exit(s==='SERVING'?0:1),()=>process.exit(1))"
CMD ["node", "apps/model-executor/dist/main.js"]

FROM runtime AS speculative-collector
COPY --from=speculative-collector-files --chown=node:node /out/ ./
ENV COLLECTOR_PORT=50071
EXPOSE 50071
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 \
  CMD node -e "require('@modelserving/transport').checkHealth('127.0.0.1:'+(process.env.COLLECTOR_PORT||50071),'',5000).then(s=>process.exit(s==='SERVING'?0:1),()=>process.exit(1))"
CMD ["node", "apps/speculative-collector/dist/main.js"]

# The CLI as a container: docker compose run --rm cli list
FROM runtime AS cli
COPY --from=cli-files --chown=node:node /out/ ./
ENTRYPOINT ["node", "apps/cli/dist/main.js"]
CMD ["--help"]
