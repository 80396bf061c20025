#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser tests (playwright-core drives it; it never
# downloads a browser of its own). Idempotent; prints the executable path.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "[setup-browser] installing Debian's chromium" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2 || true
  $SUDO apt-get install -y -qq --no-install-recommends chromium >&2
fi
# A CJK font, or Chinese renders as boxes in screenshots.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "[setup-browser] installing a CJK font" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >&2 || echo "[setup-browser] no CJK font; screenshots will show boxes" >&2
fi
command -v chromium
