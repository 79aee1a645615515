# Sourced by the other scripts: the project's tools on PATH, and Reflex kept quiet and offline.
# A self-hosted shop's server stays silent: no PyPI version check (telemetry is off in rxconfig.py)
# and no probing of npm mirrors (registry.npmmirror.com) when Reflex installs the frontend packages.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
export PATH="$ROOT/.tools/node_modules/.bin:$ROOT/.venv/bin:$PATH"
export REFLEX_USE_SYSTEM_BUN=1 REFLEX_CHECK_LATEST_VERSION=0 PYTHONUNBUFFERED=1
export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}"
