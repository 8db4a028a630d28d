"""pytest fixtures for the embedded CloudAPI simulator (installed as a ``pytest11`` plugin).

* ``cloudapi_sim``: a started :class:`~smartdc.testing.Simulator` (function scope). Use
  ``cloudapi_sim.faults`` to inject failures and ``cloudapi_sim.request_count()`` to observe calls.
* ``cloudapi``: ``cloudapi_sim.client()``, a ``smartdc.CloudAPI`` signed with the simulator's key.
* ``cloudapi_sim_settings``: the simulator's :class:`~smartdc.testing.Settings` (how long each state
  change takes, which names fail...). Override it in a conftest to change them.
* ``cloudapi_sim_clock``: the simulator's clock. A ``RealClock`` with short state-machine delays
  (provisioning 0.2 s, other actions 0.1 s) unless virtual time is asked for:

  - ``smartdc_sim_virtual_clock = true`` in the pytest ini options, or
  - the environment variable ``SMARTDC_SIM_VIRTUAL_CLOCK=1``, or
  - overriding ``cloudapi_sim_clock`` to return a ``VirtualClock()``.

  On a ``VirtualClock`` nothing sleeps: clients made by ``cloudapi_sim.client()`` or
  ``cloudapi_sim.datacenter()`` (and the ``cloudapi`` fixture) wait by advancing the simulated
  time, so a wait for a 30 s provisioning returns at once after the same polls as in real life.
  Tests can also move time themselves with ``cloudapi_sim.clock.advance(seconds)``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from smartdc.testing.clock import Clock, RealClock, VirtualClock
from smartdc.testing.state import Settings

if TYPE_CHECKING:
    from smartdc._generated.client import CloudAPI
    from smartdc.testing.simulator import Simulator

VIRTUAL_CLOCK_INI = "smartdc_sim_virtual_clock"
VIRTUAL_CLOCK_ENV = "SMARTDC_SIM_VIRTUAL_CLOCK"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        VIRTUAL_CLOCK_INI,
        "run the cloudapi_sim simulator on virtual time (waits never sleep)",
        type="bool",
        default=False,
    )


def virtual_time_wanted(config: pytest.Config) -> bool:
    """True when the ini option or the environment asks for virtual time."""
    if os.environ.get(VIRTUAL_CLOCK_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    return bool(config.getini(VIRTUAL_CLOCK_INI))


@pytest.fixture
def cloudapi_sim_settings() -> Settings:
    """The simulator's settings: short state-machine delays, so real-clock waits end quickly."""
    return Settings(
        provision_seconds=0.2,
        stop_seconds=0.1,
        start_seconds=0.1,
        reboot_seconds=0.1,
        delete_seconds=0.1,
        snapshot_seconds=0.1,
        image_create_seconds=0.2,
        volume_create_seconds=0.1,
        migration_step_seconds=0.1,
    )


@pytest.fixture
def cloudapi_sim_clock(request: pytest.FixtureRequest) -> Clock:
    """The simulator's clock: a ``VirtualClock`` when virtual time is asked for, else real time."""
    return VirtualClock() if virtual_time_wanted(request.config) else RealClock()


@pytest.fixture
def cloudapi_sim(cloudapi_sim_settings: Settings, cloudapi_sim_clock: Clock) -> Iterator[Simulator]:
    """A started simulator (three datacenters on 127.0.0.1), closed after the test."""
    # imported here: every pytest run loads this plugin, most never start a simulator
    from smartdc.testing.simulator import Simulator

    with Simulator(settings=cloudapi_sim_settings, clock=cloudapi_sim_clock) as simulator:
        yield simulator


@pytest.fixture
def cloudapi(cloudapi_sim: Simulator) -> Iterator[CloudAPI]:
    """A ``smartdc.CloudAPI`` for the simulator's first datacenter, closed after the test."""
    client = cloudapi_sim.client()
    yield client
    client.close()
