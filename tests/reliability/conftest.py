"""Reliability tests: a simulator on a virtual clock and clients with short timeouts and backoffs.

Short budgets keep the whole directory fast; every outcome is checked against the requests the
simulator actually saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from smartdc import CloudAPI
from smartdc.facade import DataCenter
from smartdc.testing import Settings, Simulator, VirtualClock
from smartdc.testing.router import Route, SimRequest, SimResponse

# Short enough to keep the tests quick, long enough for a loopback answer on a busy machine.
FAST: dict[str, Any] = {
    "timeout": 0.5,
    "max_retries": 3,
    "retry_backoff": 0.01,
    "retry_deadline": 10.0,
}


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def sim(clock: VirtualClock) -> Iterator[Simulator]:
    with Simulator(clock=clock, settings=Settings(fail_provision_names={"doomed"})) as simulator:
        yield simulator


@pytest.fixture
def api(sim: Simulator) -> Iterator[CloudAPI]:
    client = sim.client(**FAST)
    yield client
    client.close()


@pytest.fixture
def dc(sim: Simulator) -> Iterator[DataCenter]:
    # Waits run on the simulator's clock: a long provisioning costs no real time.
    datacenter = sim.datacenter(**FAST)
    yield datacenter
    datacenter.close()


def override_route(sim: Simulator, name: str, handler: Callable[[SimRequest], SimResponse]) -> None:
    """Answer route ``name`` with ``handler`` (matched before the simulator's own handler)."""
    original = next(r for r in sim.router.routes if r.name == name)
    sim.router.routes.insert(
        0, Route(name, original.method, original.template, original.pattern, handler)
    )


def watch_route(sim: Simulator, name: str) -> list[SimRequest]:
    """Record every request of route ``name`` (then answer it as the simulator does)."""
    original = next(r for r in sim.router.routes if r.name == name)
    seen: list[SimRequest] = []

    def handler(request: SimRequest) -> SimResponse:
        seen.append(request)
        return original.handler(request)

    override_route(sim, name, handler)
    return seen


def machine_args(api: CloudAPI) -> dict[str, Any]:
    return {"image": str(api.list_images()[0].id), "package": str(api.list_packages()[0].id)}
