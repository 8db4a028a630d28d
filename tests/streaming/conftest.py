"""Fixtures for the WebSocket endpoints: a simulator on a virtual clock and helpers to wait for a
registration the server does not answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

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


def until(what: str, done: Callable[[], bool]) -> None:
    """Until ``done()`` (bounded: 5 s of real time), for what the server does not answer."""
    deadline = time.monotonic() + 5
    while not done():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.005)


def registered(sim: Simulator, count: int = 1) -> None:
    """Until ``count`` changefeed listeners have registered."""
    feed = sim.state.datacenters[sim.datacenter_names[0]].feed
    until("the registration reached the simulator", lambda: feed.registered() >= count)
