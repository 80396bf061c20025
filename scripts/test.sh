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
# With arguments (files, a project), one vitest run does exactly what they say.
if [ "$#" -gt 0 ]; then exec npx vitest run "$@"; fi
# Otherwise two vitest processes side by side, each on its own copy of the services: the end-to-end files, and
# the unit tests then the fault suite (the shorter of the two). Each project runs its files one at a time, so
# this halves the wall time on a two-core machine. The second run's report is printed once both are done.
side_log=$(mktemp)
npx vitest run --project unit --project fault > "$side_log" 2>&1 &
side=$!
trap 'kill "$side" 2>/dev/null || true' EXIT
e2e_status=0
npx vitest run --project e2e || e2e_status=$?
side_status=0
wait "$side" || side_status=$?
trap - EXIT
echo "== unit and fault tests (they ran beside the end-to-end tests)"
cat "$side_log"
rm -f "$side_log"
if [ "$e2e_status" -ne 0 ] || [ "$side_status" -ne 0 ]; then
  echo "tests failed: end-to-end exit $e2e_status, unit and fault exit $side_status" >&2
  exit 1
fi
