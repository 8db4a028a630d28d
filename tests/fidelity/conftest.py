"""Differential tests: the simulator against the server's own code (tests/fidelity/oracle.py).

Every test here skips with the reason when node or ``../shared/oracle`` is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from smartdc.testing import Simulator, VirtualClock
from tests.simulator.sigclient import SigClient, load_private_key

from . import oracle
from .world import world as world_of


@pytest.fixture(autouse=True)
def _needs_oracle() -> None:
    reason = oracle.unavailable()
    if reason is not None:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(clock=VirtualClock(), datacenters=("us-diff-1",)) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def sig(sim: Simulator) -> SigClient:
    return SigClient(sim.url, sim.account, load_private_key(sim.key_path))


@pytest.fixture(scope="module")
def world(sim: Simulator, sig: SigClient) -> dict[str, Any]:
    """The oracle's data (account, images, packages) taken from the simulator."""
    account = sim.state.account(sim.account)
    assert account is not None
    return world_of(sig, account.uuid)
