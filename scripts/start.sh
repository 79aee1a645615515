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
wanted="$(bash scripts/build-frontend.sh --stamp)"
built="$(cat .web/build/queue-stamp 2>/dev/null || echo none)"
if [[ "${QUEUE_PREBUILT_FRONTEND:-0}" != "1" ]]; then
  echo "Building the frontend first (QUEUE_PREBUILT_FRONTEND=1 reuses a matching build)"
  bash scripts/build-frontend.sh
elif [[ ! -f .web/build/client/index.html || "$built" != "$wanted" ]]; then
  echo "The prebuilt frontend ($built) does not match this start ($wanted): building it now."
  bash scripts/build-frontend.sh
fi

# Reflex 0.10.1 mounts .web/build/client in the backend only when `run` builds it too; with
# --backend-only it serves no page at all. Same CLI path, but the backend mounts the build, and
# the server runs queue_app.asgi:app (Reflex's app behind a front door that sends /api/v1 straight
# to the API, see that module).
SERVE_PREBUILT='
from reflex.reflex import cli
from reflex.utils import exec as reflex_exec, prerequisites

def serve(host, port, loglevel, *_args, **_kwargs):
    reflex_exec.environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    prerequisites.get_app()  # imported before the workers fork, as for Reflex own target
    run = (reflex_exec.run_granian_backend_prod if reflex_exec.should_use_granian()
           else reflex_exec.run_uvicorn_backend_prod)
    run(host, port, loglevel, app_target="queue_app.asgi:app")

reflex_exec.run_backend_prod = serve
cli(prog_name="reflex")
'
echo "Queue System on http://$HOST:$PORT"
exec python -c "$SERVE_PREBUILT" run --env prod --backend-only --backend-host "$HOST" --backend-port "$PORT"
