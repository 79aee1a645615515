#!/usr/bin/env bash
# Run the test suite. PostgreSQL and Redis tests run when QUEUE_TEST_POSTGRES_URL /
# QUEUE_TEST_REDIS_URL are set; otherwise they are skipped and the summary says so.
set -euo pipefail
source "$(dirname "$0")/env.sh"
if [[ -z "${QUEUE_TEST_POSTGRES_URL:-}" ]]; then
  echo "NOTE: QUEUE_TEST_POSTGRES_URL is not set: PostgreSQL tests will be SKIPPED."
fi
if [[ -z "${QUEUE_TEST_REDIS_URL:-}" ]]; then
  echo "NOTE: QUEUE_TEST_REDIS_URL is not set: multi-worker (Redis) tests will be SKIPPED."
fi
if [[ ! -x /usr/bin/chromium ]]; then
  echo "NOTE: /usr/bin/chromium is missing (apt-get install chromium): browser tests will be SKIPPED."
fi
exec python -m pytest "$@"
