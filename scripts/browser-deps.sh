#!/usr/bin/env bash
# Debian's chromium for the browser tests and axe-core from npm; nothing downloads a browser build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
    echo "installing Debian's chromium for the browser tests..." >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    (cd tests/browser && npm install --no-audit --no-fund --silent)
fi
