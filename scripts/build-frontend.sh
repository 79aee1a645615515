#!/usr/bin/env bash
# Build the production frontend once, into .web/build/client, so that
# `QUEUE_PREBUILT_FRONTEND=1 scripts/start.sh` serves it without rebuilding (the Dockerfile runs this).
#
# The browser opens the websocket on the page's own host name, at the port baked in here
# (QUEUE_PORT, default 3000; on an https page, the default https port). Publish the app on that
# port, or build with REFLEX_API_URL set to the public URL. The build is stamped with that URL and
# a fingerprint of the source; start.sh rebuilds when either changed.
#
#   scripts/build-frontend.sh           build, then write .web/build/queue-stamp
#   scripts/build-frontend.sh --stamp   print the stamp a build made now would carry
set -euo pipefail
source "$(dirname "$0")/env.sh"
export REFLEX_API_URL="${REFLEX_API_URL:-http://localhost:${QUEUE_PORT:-3000}}"
STAMP_FILE=.web/build/queue-stamp

stamp() {  # the URL the frontend calls + a hash of everything the frontend is compiled from
  local source paths=(rxconfig.py queue_app)
  [[ -d assets ]] && paths+=(assets)
  [[ -f reflex.lock/bun.lock ]] && paths+=(reflex.lock/bun.lock)  # package.json: Reflex reformats it
  source="$(find "${paths[@]}" -path assets/external -prune -o -type f \
    ! -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
  printf '%s %s\n' "$REFLEX_API_URL" "$source"
}

if [[ "${1:-}" == "--stamp" ]]; then
  stamp
  exit 0
fi

echo "Building the frontend for $REFLEX_API_URL ..."
STAMP="$(stamp)"
reflex export --frontend-only --no-zip --loglevel "${REFLEX_LOGLEVEL:-info}"
test -f .web/build/client/index.html || { echo "the build left no .web/build/client/index.html" >&2; exit 1; }
python scripts/defer_stylesheet.py .web/build/client  # the first paint waits for no stylesheet
printf '%s\n' "$STAMP" > "$STAMP_FILE"
echo "Frontend built in .web/build/client (serve it with QUEUE_PREBUILT_FRONTEND=1 scripts/start.sh)"
