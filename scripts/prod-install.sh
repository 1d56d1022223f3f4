#!/usr/bin/env bash
# Usage: scripts/prod-install.sh <dir>
#
# Lays out a production copy of the server in <dir>: the compiled dist/, package.json,
# package-lock.json and node_modules with production dependencies only, ready for
# `node dist/src/main.js` (or `npm start`). The Dockerfile's build stage runs exactly this
# script; test/ops/prod-install.test.ts runs it in CI.
#
# It starts from this checkout's development install (`npm ci` done) and prunes a copy of
# its node_modules instead of installing afresh: better-sqlite3's native addon is then
# compiled once, by `npm ci`, not a second time (about a minute) for the production tree.
# `--omit=optional` as well as `--omit=dev`: @prisma/client declares the Prisma CLI and
# TypeScript as optional peers, so `--omit=dev` alone would keep both (and ~250 MB).
set -euo pipefail
out=${1:?usage: scripts/prod-install.sh <dir>}
cd "$(dirname "$0")/.."

node scripts/build.mjs --if-stale   # npm run build, unless dist/ is up to date
rm -rf "$out"
mkdir -p "$out/scripts"
cp package.json package-lock.json "$out/"
# `npm start` and npm's postinstall hook still work there (neither needs src/).
cp scripts/start.mjs scripts/postinstall.mjs "$out/scripts/"
cp -a dist node_modules "$out/"
cd "$out"
npm prune --omit=dev --omit=optional --no-audit --no-fund
# What prune leaves behind: emptied scope folders and build tools' caches.
rm -rf node_modules/.cache
find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete
