#!/usr/bin/env bash
# The scale-out deployment on one machine: a Chroma server (`chroma run`) holding the vectors
# and `assistant serve --workers N` (default 2) on one port, every worker over the same data dir.
# Ingests corpus/ into that Chroma server first if the data dir holds no documents yet.
# Ctrl-C (or SIGTERM) stops both.
#
#   scripts/serve-cluster.sh [DATA_DIR]      # default .data-cluster
#
# Environment: WORKERS (2), PORT (7860), HOST (127.0.0.1), CHROMA_PORT (8000); every other
# ASSISTANT_* setting is passed through to the workers.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_DIR=${1:-.data-cluster}
WORKERS=${WORKERS:-2}
PORT=${PORT:-7860}
HOST=${HOST:-127.0.0.1}
CHROMA_PORT=${CHROMA_PORT:-8000}
VENV=${VENV:-.venv}
export ASSISTANT_STORE__MODE=http ASSISTANT_STORE__HOST=127.0.0.1 \
  ASSISTANT_STORE__PORT="$CHROMA_PORT" ASSISTANT_DATA_DIR="$DATA_DIR"
mkdir -p "$DATA_DIR"

chroma_pid="" serve_pid=""
stop() {
  trap - INT TERM EXIT
  for pid in $serve_pid $chroma_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# the vectors live with the Chroma server, beside (not inside) what the app reads
"$VENV/bin/chroma" run --path "$DATA_DIR/chroma-server" --host 127.0.0.1 --port "$CHROMA_PORT" \
  >"$DATA_DIR/chroma-server.log" 2>&1 &
chroma_pid=$!
for _ in $(seq 60); do
  if "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$CHROMA_PORT/api/v2/heartbeat', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$chroma_pid" 2>/dev/null || { cat "$DATA_DIR/chroma-server.log" >&2; exit 1; }
  sleep 0.5
done

if [ ! -s "$DATA_DIR/registry.sqlite3" ]; then
  "$VENV/bin/python" -m assistant.cli ingest corpus/
fi

"$VENV/bin/python" -m assistant.cli serve --workers "$WORKERS" --host "$HOST" --port "$PORT" &
serve_pid=$!
wait "$serve_pid"
