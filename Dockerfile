# syntax=docker/dockerfile:1
# Two stages. build: a development install (npm ci: dev dependencies, the generated Prisma
# clients, better-sqlite3 compiled), then scripts/prod-install.sh — the very script CI runs
# in test/ops/prod-install.test.ts — compiles dist/ and lays out /out with production
# dependencies only. runtime: /out on a slim image, as the unprivileged `node` user.
ARG NODE_VERSION=20.19
ARG NPM_VERSION=11.19.1

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG NPM_VERSION
# Toolchain for better-sqlite3's native addon when no prebuilt binary is available.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# npm 11 honours package.json "allowScripts" (only better-sqlite3 runs an install script).
RUN npm install -g npm@${NPM_VERSION}
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund
RUN bash scripts/prod-install.sh /out

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data \
    DATABASE_URL=file:/data/chat.db
WORKDIR /app
COPY --from=build /out ./
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (graceful stop within SHUTDOWN_TIMEOUT_MS).
CMD ["node", "dist/src/main.js"]
