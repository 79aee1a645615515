#!/usr/bin/env bash
# Start Queue System in production mode: migrations, then Reflex on one port.
# Used by `make run` and by the Dockerfile, so both start the app the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
export PATH="$ROOT/.tools/node_modules/.bin:$ROOT/.venv/bin:$PATH"
export REFLEX_USE_SYSTEM_BUN=1
export PYTHONUNBUFFERED=1
HOST="${QUEUE_HOST:-127.0.0.1}"
PORT="${QUEUE_PORT:-3000}"

mkdir -p var
echo "Applying database migrations..."
alembic upgrade head

ARGS=(run --env prod --single-port --backend-host "$HOST" --frontend-port "$PORT" --backend-port "$PORT")
if [[ "${QUEUE_PREBUILT_FRONTEND:-0}" == "1" && -d .web/build/client ]]; then
  # The image built the frontend already: serve it instead of rebuilding at every start.
  ARGS=(run --env prod --backend-only --backend-host "$HOST" --backend-port "$PORT")
fi
echo "Queue System on http://$HOST:$PORT"
exec reflex "${ARGS[@]}"
