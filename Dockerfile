# syntax=docker/dockerfile:1
# Dice's image: `dice run` by default; `docker run IMAGE index /repo` (or any other command) also works.
# The build runs the commands CI runs: `npm ci` (.ci/run), then `npm pack` and a global install of the tarball
# (scripts/check-package.sh), so the image holds exactly the npm package CI checked.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles SQLite with node-gyp when it cannot download a prebuilt binary.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm pack --pack-destination /tmp/pkg --silent
RUN npm install --global --prefix /opt/dice /tmp/pkg/dice-envoy-*.tgz --no-audit --no-fund --prefer-offline

FROM node:20-bookworm-slim
# git: `dice index` reads the checkout and runs git blame. A mounted checkout belongs to another uid.
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'
COPY --from=build /opt/dice /opt/dice
ENV PATH=/opt/dice/bin:$PATH NODE_ENV=production
# The node image's unprivileged user (uid 1000). /data holds the SQLite file when no DICE_DATABASE_URL is set;
# /repo is where a checkout volume is mounted (a new named volume takes this ownership, so git can clone into it).
RUN mkdir -p /data /repo && chown node:node /data /repo
USER node
WORKDIR /data
EXPOSE 7878
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:7878/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["dice"]
# On every address of the container: needs DICE_WEB_TOKEN, server.auth.proxyHeader or allowAnonymous (docs/OPERATIONS.md).
CMD ["run", "--host", "0.0.0.0", "--port", "7878"]
