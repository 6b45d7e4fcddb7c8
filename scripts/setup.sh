#!/usr/bin/env bash
# Creates .venv and installs the product; safe to run again (skips when nothing changed).
# torch 2.13.0 (CPU) goes in first: any other order pulls gigabytes of CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
stamp=".venv/.installed-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "installing (first run takes a few minutes)..." >&2
    python -m pip install -q --upgrade pip
    python -m pip install -q torch==2.13.0
    python -m pip install -q -e ".[dev]"
    rm -f .venv/.installed-*
    touch "$stamp"
fi
