# Sourced by the other scripts: the project's tools on PATH, and Reflex kept quiet and offline.
# A self-hosted shop's server stays silent: no PyPI version check (telemetry is off in rxconfig.py).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
export PATH="$ROOT/.tools/node_modules/.bin:$ROOT/.venv/bin:$PATH"
export REFLEX_USE_SYSTEM_BUN=1 REFLEX_CHECK_LATEST_VERSION=0 PYTHONUNBUFFERED=1
# Unless NPM_CONFIG_REGISTRY is set, Reflex times a few public npm registries and writes the fastest
# into .web/.npmrc and bunfig.toml. Hand it the registry npm itself is configured with instead (the
# user's ~/.npmrc, a company mirror or proxy, else npm's default), so nothing is probed or overridden.
if [[ -z "${NPM_CONFIG_REGISTRY:-}" ]] && command -v npm >/dev/null; then
  NPM_CONFIG_REGISTRY="$(npm config get registry 2>/dev/null || true)"
  if [[ -n "$NPM_CONFIG_REGISTRY" ]]; then export NPM_CONFIG_REGISTRY; fi
fi
