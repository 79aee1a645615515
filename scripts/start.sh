#!/usr/bin/env bash
# Start Queue System in production mode: migrations, then Reflex on one port.
# Used by `make run` and by the Dockerfile, so both start the app the same way.
#
# The frontend is always the one scripts/build-frontend.sh makes (the only build path, so every
# start serves the same pages). By default it is rebuilt at every start (~30 s). With
# QUEUE_PREBUILT_FRONTEND=1 the existing build (made at image build) is served as is, on the same
# port, and the app answers in a few seconds; if that build is missing, or was made for another URL
# or older source, it is rebuilt first.
set -euo pipefail
source "$(dirname "$0")/env.sh"
HOST="${QUEUE_HOST:-127.0.0.1}"
PORT="${QUEUE_PORT:-3000}"

mkdir -p var
# Prometheus multiprocess mode: every worker writes its samples here and /metrics adds them up.
# Emptied at every start, so counters begin at zero and dead workers' gauges are gone.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$ROOT/var/prometheus}"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
find "$PROMETHEUS_MULTIPROC_DIR" -maxdepth 1 -name '*.db' -delete
echo "Applying database migrations..."
alembic upgrade head

export QUEUE_PORT="$PORT"
if [[ "${QUEUE_PREBUILT_FRONTEND:-0}" != "1" ]]; then
  echo "Building the frontend first (QUEUE_PREBUILT_FRONTEND=1 reuses a matching build)"
  bash scripts/build-frontend.sh
else  # the source's fingerprint is worked out only when a build may be reused
  wanted="$(bash scripts/build-frontend.sh --stamp)"
  built="$(cat .web/build/queue-stamp 2>/dev/null || echo none)"
  if [[ ! -f .web/build/client/index.html || "$built" != "$wanted" ]]; then
    echo "The prebuilt frontend ($built) does not match this start ($wanted): building it now."
    bash scripts/build-frontend.sh
  fi
fi

echo "Queue System on http://$HOST:$PORT"
exec python scripts/serve.py --backend-host "$HOST" --backend-port "$PORT"
