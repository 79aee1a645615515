"""The lock files are what every install uses: they must pin what requirements*.txt ask for."""

import re

import pytest

from queue_app.config import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")


def _pins(path) -> dict[str, str]:
    """`name -> version` of every `name==version` line (extras dropped, names normalised)."""
    pins = {}
    for line in path.read_text().splitlines():
        if match := PIN.match(line.strip()):
            name = re.sub(r"\[.*\]", "", match[1])
            pins[re.sub(r"[-_.]+", "-", name).lower()] = match[2]
    return pins


@pytest.mark.parametrize(("wanted", "lock"), [("requirements.txt", "requirements.lock"),
                                              ("requirements-dev.txt", "requirements-dev.lock"),
                                              ("requirements.txt", "requirements-dev.lock")])
def test_every_direct_requirement_is_locked_at_the_version_it_asks_for(wanted, lock):
    locked = _pins(ROOT / lock)
    stale = {name: version for name, version in _pins(ROOT / wanted).items()
             if locked.get(name) != version}
    assert not stale, f"{lock} is out of date with {wanted} for {stale}: run `make lock`"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_carries_a_hash(lock):
    entries = re.split(r"\n(?=\S)", (ROOT / lock).read_text())
    unhashed = [entry.split()[0] for entry in entries
                if PIN.match(entry) and "--hash=sha256:" not in entry]
    assert not unhashed
