"""Machine-side simulator tests run on a virtual clock: state changes happen when the test says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


def running_machine(sim: Simulator, sig: SigClient, image: str = "base-64-lts", **body: Any) -> str:
    """The id of a new machine of ``image`` (CreateMachine ``body`` added), provisioned: the
    virtual clock is moved past its provisioning."""
    image_id = sig.get("/my/images", query={"name": image}).json[-1]["id"]
    reply = sig.post("/my/machines", {"image": image_id, "package": "g4-highcpu-1G", **body})
    assert reply.status == 201, reply.body
    sim.advance(sim.settings.provision_seconds + 0.01)
    return str(reply.json["id"])
