#!/usr/bin/env bash
# Assembles what the production image runs into one folder: the esbuild bundles of every app, the
# files they read at run time, and production dependencies only. The Dockerfile's build stage runs it,
# and test/e2e/production-runtime.test.ts runs it too and starts the apps from the result, so what
# the image ships is what the tests start.
#   usage: deploy/docker/assemble-runtime.sh <output-dir>
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: assemble-runtime.sh <output-dir>}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ "$out" = "$root" ]; then
  echo "assemble-runtime.sh: the output must not be the workspace itself" >&2
  exit 2
fi

(cd "$root" && node scripts/build.mjs)

# npm ci needs the lockfile and every workspace's package.json to match; the workspaces hold no
# dependencies of their own, so their package.json files are all it needs of them.
cp "$root/package.json" "$root/package-lock.json" "$out/"
(cd "$root" && find apps libs -name package.json -not -path '*/node_modules/*') | while read -r manifest; do
  mkdir -p "$out/$(dirname "$manifest")"
  cp "$root/$manifest" "$out/$manifest"
done
mkdir -p "$out/dist"
rm -rf "$out/dist/apps"
cp -R "$root/dist/apps" "$out/dist/apps"
# Files the apps read at run time, at the paths they read them from (relative to the package.json).
for asset in apps/console/src/inbox-page apps/console/src/knowledge-page apps/simulator/src/chat-page.html libs/database/migrations data config/bots.example.json; do
  mkdir -p "$out/$(dirname "$asset")"
  cp -R "$root/$asset" "$out/$asset"
done
cp "$root/deploy/docker/run-app.mjs" "$root/deploy/docker/healthcheck.mjs" "$out/"

# --ignore-scripts: no production dependency needs an install script to run (protobufjs' only checks
# its version); skipping them keeps the image build free of surprises.
(cd "$out" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "assembled the runtime in $out" >&2
