"""Fixtures for simulator tests: a running Simulator and a signed urllib3 client for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings

from .sigclient import SigClient, load_private_key


def fast_settings() -> Settings:
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
def sim() -> Iterator[Simulator]:
    with Simulator(settings=fast_settings()) as simulator:
        yield simulator


@pytest.fixture
def sig(sim: Simulator) -> SigClient:
    """Signed as the simulator's account with its generated RSA key."""
    return SigClient(sim.url, sim.account, load_private_key(sim.key_path))
