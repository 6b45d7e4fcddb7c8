#!/usr/bin/env bash
# Installs what is needed, ingests corpus/ and serves the chat (http://127.0.0.1:7860 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate
assistant ingest corpus/
exec assistant serve "$@"
