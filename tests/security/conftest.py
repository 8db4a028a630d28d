"""Security tests: a simulator whose key is passphrase-protected, and header capture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smartdc.testing import Simulator, VirtualClock
from smartdc.testing.keyfiles import generate_key, write_key
from smartdc.testing.router import SimRequest, SimResponse

PASSPHRASE = "s3cret-Pass/phrase-for-tests"


@pytest.fixture(scope="module")
def encrypted_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An RSA key encrypted with PASSPHRASE (mode 0600) and its ``.pub`` beside it."""
    key = generate_key("rsa2048")
    directory = tmp_path_factory.mktemp("keys")
    return write_key(directory, "id_rsa", key, "pkcs8", PASSPHRASE, comment="security-test")


@pytest.fixture
def sim(encrypted_key: Path) -> Iterator[Simulator]:
    with Simulator(clock=VirtualClock(), key_path=encrypted_key) as simulator:
        yield simulator


class HeaderRecorder:
    """Wraps a route's handler to keep the Authorization headers the server received."""

    def __init__(self, sim: Simulator, route: str) -> None:
        self.seen: list[str] = []
        self._original = next(r for r in sim.router.routes if r.name == route)
        self._inner = self._original.handler
        self._original.handler = self._handle

    def _handle(self, request: SimRequest) -> SimResponse:
        self.seen.append(str(request.headers.get("authorization", "")))
        return self._inner(request)
