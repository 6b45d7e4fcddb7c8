#!/usr/bin/env bash
# Installs what is needed, ingests the sample documents (corpus/) and serves the chat
# (http://127.0.0.1:7860 by default). Only this script ingests the samples by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate
exec assistant serve --with-samples "$@"
