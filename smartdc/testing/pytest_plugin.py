"""pytest fixtures for the embedded CloudAPI simulator (installed as a ``pytest11`` plugin).

* ``cloudapi_sim``: a started :class:`~smartdc.testing.Simulator` (function scope) with the real
  clock and short state-machine delays (provisioning 0.2 s, other actions 0.1 s), so waiters finish
  quickly. Use ``cloudapi_sim.faults`` to inject failures and ``cloudapi_sim.request_count()`` to
  observe calls.
* ``cloudapi``: ``cloudapi_sim.client()``, a ``smartdc.CloudAPI`` signed with the simulator's key.

Override ``cloudapi_sim_settings`` in a conftest to change the delays.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from smartdc.testing.state import Settings

if TYPE_CHECKING:
    from smartdc.testing.simulator import Simulator


@pytest.fixture
def cloudapi_sim_settings() -> Settings:
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
def cloudapi_sim(cloudapi_sim_settings: Settings) -> Iterator[Simulator]:
    # imported here: every pytest run loads this plugin, most never start a simulator
    from smartdc.testing.simulator import Simulator

    with Simulator(settings=cloudapi_sim_settings) as simulator:
        yield simulator


@pytest.fixture
def cloudapi(cloudapi_sim: Simulator) -> Iterator[Any]:
    client = cloudapi_sim.client()
    yield client
    close = getattr(client, "close", None)
    if callable(close):
        close()
