#!/usr/bin/env bash
# Installs what is needed (Python packages, Debian's chromium, axe-core) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/browser-deps.sh
# shellcheck disable=SC1091
. .venv/bin/activate
ruff check .
mypy
status=0
python -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
    echo "no tests were collected" >&2
fi
exit "$status"
