"""The scripts leave the npm registry to npm's own configuration (a company mirror stays in use)."""

import os
import shutil
import subprocess

import pytest

from queue_app.config import ROOT

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")


def _registry_seen_by_reflex(home, **env) -> str:
    command = f'source "{ROOT}/scripts/env.sh" >/dev/null; printf %s "$NPM_CONFIG_REGISTRY"'
    clean = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_config_")}
    result = subprocess.run(["bash", "-c", command], env=clean | {"HOME": str(home)} | env,
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout


def test_the_registry_in_the_users_npmrc_is_the_one_reflex_installs_from(tmp_path):
    (tmp_path / ".npmrc").write_text("registry=http://127.0.0.1:4873/\n")
    assert _registry_seen_by_reflex(tmp_path) == "http://127.0.0.1:4873/"


def test_a_registry_set_in_the_environment_wins_over_the_npmrc(tmp_path):
    (tmp_path / ".npmrc").write_text("registry=http://127.0.0.1:4873/\n")
    seen = _registry_seen_by_reflex(tmp_path, NPM_CONFIG_REGISTRY="http://127.0.0.1:4999/")
    assert seen == "http://127.0.0.1:4999/"
