"""Waits that listen to the changefeed instead of polling (real time: the feed is a real-time
thing; the simulator provisions in about a second here)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from smartdc.testing import Settings, Simulator
from tests.streaming.conftest import registered, until

pytestmark = pytest.mark.timeout(120)

QUICK = Settings(provision_seconds=2.0, stop_seconds=2.0, delete_seconds=1.0)


@pytest.fixture
def live() -> Iterator[Simulator]:
    with Simulator(settings=QUICK) as simulator:
        yield simulator


def test_a_machine_waiter_polls_when_the_feed_says_so(live: Simulator) -> None:
    api = live.client()
    machine = live.datacenter().create_machine(name="fed")
    before = live.request_count("GetMachine")
    running = api.wait_machine_running(machine.id)
    assert running is not None and running.state == "running"
    # one poll to start with, one when the change is announced
    assert live.request_count("GetMachine") - before <= 2


def test_without_the_feed_the_same_wait_polls(live: Simulator) -> None:
    api = live.client(changefeed_waits=False)
    machine = live.datacenter().create_machine(name="polled")
    before = live.request_count("GetMachine")
    api.wait_machine_running(machine.id)
    assert live.request_count("GetMachine") - before >= 3


def test_facade_waits_and_wait_all_listen_too(live: Simulator) -> None:
    from smartdc.facade import wait_all

    dc = live.datacenter()
    single = dc.create_machine(name="one")
    before = live.request_count("GetMachine")
    single.wait("running", timeout=60)
    assert live.request_count("GetMachine") - before <= 2

    many = [dc.create_machine(name=f"many-{n}") for n in range(5)]
    lists = live.request_count("ListMachines")
    wait_all(many, "running", timeout=60)
    # a first round, then one per burst of announced changes (not one per timer tick)
    assert live.request_count("ListMachines") - lists <= 4
    assert {m.refresh().state for m in many} == {"running"}


def test_each_gap_in_the_feed_is_followed_by_a_poll(live: Simulator) -> None:
    import threading

    api = live.client()
    machine = live.datacenter().create_machine(name="gap")
    machine.wait("running", timeout=60)
    feed = live.state.datacenters[live.datacenter_names[0]].feed
    before = live.request_count("GetMachine")

    def polls() -> int:
        return live.request_count("GetMachine") - before

    results: list[object] = []
    waiting = threading.Thread(
        target=lambda: results.append(api.wait_machine_stopped(machine.id, timeout=60))
    )
    waiting.start()
    try:
        registered(live)
        until("the first poll", lambda: polls() == 1)
        # the machine does not change: only the drops can cause polls before the 60 s safety net
        for expected in (2, 3):
            feed.close()
            registered(live)
            until(f"poll {expected}, after a gap", lambda: polls() == expected)  # noqa: B023
    finally:
        api.stop_machine(machine.id)
        waiting.join(timeout=60)
    assert [getattr(r, "state", None) for r in results] == ["stopped"]


def test_without_the_streaming_extra_waits_poll(
    live: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "websockets" or m.startswith("websockets.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "websockets", None)
    api = live.client()
    machine = live.datacenter().create_machine(name="plain")
    before = live.request_count("GetMachine")
    assert api.wait_machine_running(machine.id) is not None
    assert live.request_count("GetMachine") - before >= 3
