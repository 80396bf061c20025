#!/usr/bin/env bash
# npm test: lint (with Nx module boundaries), typecheck, then every test (unit, workspace, e2e on real services).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/check-prerequisites.sh
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
# The Node packages and the Python environment install side by side (neither needs the other).
npm_install=""
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund &
  npm_install=$!
fi
bash scripts/setup-python.sh
if [ -n "$npm_install" ]; then wait "$npm_install"; fi
echo "== lint, format and typecheck (side by side; each names its own failures)"
# The boundary rule reads the cached project graph and silently skips itself without one: build it first.
npx nx show projects > /dev/null
npx eslint . --max-warnings 0 &
lint=$!
npx tsc -p tsconfig.json --noEmit &
typecheck=$!
echo "== format (npm run format fixes it)"
npx prettier --check . --log-level warn
wait "$lint"
wait "$typecheck"
echo "== tests"
npx vitest run "$@"
