"""Fixtures for the WebSocket endpoints: a simulator on a virtual clock and helpers to wait for a
registration the server does not answer."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from smartdc import CloudAPI, DataCenter
from smartdc.testing import Simulator, VirtualClock

pytest.importorskip("websockets", reason="the streaming tests need smartdc[streaming]")


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(clock=VirtualClock()) as simulator:
        yield simulator


@pytest.fixture
def dc(sim: Simulator) -> DataCenter:
    return sim.datacenter()


@pytest.fixture
def api(dc: DataCenter) -> CloudAPI:
    return dc.api


def registered(sim: Simulator, count: int = 1) -> None:
    """Until ``count`` changefeed listeners have registered (bounded: 5 s of real time)."""
    feed = sim.state.datacenters[sim.datacenter_names[0]].feed
    deadline = time.monotonic() + 5
    while feed.registered() < count:
        assert time.monotonic() < deadline, "the registration never reached the simulator"
        time.sleep(0.005)
