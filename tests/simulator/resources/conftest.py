"""Machine-side simulator tests run on a virtual clock: state changes happen when the test says."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smartdc.testing.clock import VirtualClock
from smartdc.testing.simulator import Simulator

from ..sigclient import SigClient, load_private_key


@pytest.fixture
def vsim() -> Iterator[Simulator]:
    with Simulator(clock=VirtualClock()) as simulator:
        yield simulator


@pytest.fixture
def vsig(vsim: Simulator) -> SigClient:
    return SigClient(vsim.url, vsim.account, load_private_key(vsim.key_path))
