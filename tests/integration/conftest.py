"""Fixtures of the integration tests: the socket recorder in place of `live.adapter`."""

from tests.integration.sockets import sockets  # noqa: F401  (the fixture)
