"""Property tests share one simulator per module: hypothesis runs many examples against it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smartdc import CloudAPI
from smartdc.testing import Simulator, VirtualClock


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(clock=VirtualClock(), datacenters=("us-prop-1",)) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def api(sim: Simulator) -> Iterator[CloudAPI]:
    client = sim.client(timeout=2.0, max_retries=2, retry_backoff=0.001, retry_deadline=5.0)
    yield client
    client.close()
