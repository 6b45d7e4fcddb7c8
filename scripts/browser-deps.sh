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
    # a link that leads nowhere (or to itself) is replaced by a real install
    if [ -L tests/browser/node_modules ]; then rm tests/browser/node_modules; fi
    (cd tests/browser && npm install --no-audit --no-fund --silent)
fi
