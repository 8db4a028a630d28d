"""Facade tests: a simulator on a virtual clock, and its DataCenter, whose waits run on that clock.

Waiting then costs no real time: each delay the waiting engine asks for advances the simulator's
clock, so a 30 s provisioning is seen after the same polls as in real life, instantly.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smartdc.facade import DataCenter
from smartdc.testing import Settings, Simulator, VirtualClock


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def settings() -> Settings:
    return Settings(fail_provision_names={"doomed"})


@pytest.fixture
def vsim(clock: VirtualClock, settings: Settings) -> Iterator[Simulator]:
    with Simulator(clock=clock, settings=settings) as simulator:
        yield simulator


@pytest.fixture
def dc(vsim: Simulator) -> Iterator[DataCenter]:
    datacenter = vsim.datacenter()
    yield datacenter
    datacenter.close()


@pytest.fixture
def running(dc: DataCenter):  # type: ignore[no-untyped-def]
    """A running machine."""
    return dc.create_machine(name="web-1").wait("running")
