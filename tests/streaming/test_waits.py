"""Waits that listen to the changefeed instead of polling.

The simulator runs on a virtual clock, so nothing changes until a test advances it; the clients
run on :class:`SkipClock` (real time, as the changefeed needs, but a wait's sleeps pass at once
and are recorded). Each request count is then fixed by what the test does, not by how threads
are scheduled: a wait that listens makes no timer sleep at all, one that polls makes them.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from smartdc import CloudAPI, DataCenter
from smartdc.clock import SystemClock
from smartdc.runtime.waiting import Poll
from smartdc.testing import Settings, Simulator, VirtualClock
from tests.streaming.conftest import registered, until

pytestmark = pytest.mark.timeout(120)

QUICK = Settings(provision_seconds=2.0, stop_seconds=2.0, delete_seconds=1.0)


class SkipClock(SystemClock):
    """Real time, except that a sleep passes at once (time jumps ahead) and is recorded; ``skip``
    moves time ahead without a sleep. A ``SystemClock``, so waits listen to the changefeed."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return time.monotonic() + self.offset

    def skip(self, seconds: float) -> None:
        with self._lock:
            self.offset += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.offset += max(seconds, 0.0)


@pytest.fixture
def live() -> Iterator[Simulator]:
    with Simulator(settings=QUICK, clock=VirtualClock()) as simulator:
        yield simulator


@pytest.fixture
def real_time() -> Iterator[Simulator]:
    """A simulator on real time (the gap test drops the feed, not a state change)."""
    with Simulator(settings=QUICK) as simulator:
        yield simulator


def _config(sim: Simulator) -> dict[str, Any]:
    return {"url": sim.url, "account": sim.account, "key_id": sim.key_id, "secret": sim.key_path}


def _client(sim: Simulator, clock: SkipClock, **config: Any) -> CloudAPI:
    return CloudAPI(clock=clock, **_config(sim), **config)


def _datacenter(sim: Simulator, clock: SkipClock) -> DataCenter:
    return DataCenter(clock=clock, **_config(sim))


def _in_thread(run: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    results: list[object] = []

    def target() -> None:
        try:
            results.append(run())
        except Exception as exc:  # shown by the assertion on the results
            results.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, results


def _advance_on(sim: Simulator, attempt: int, also: Callable[[], None] = lambda: None) -> Any:
    """An ``on_poll`` that provisions everything (advances the simulator) after poll ``attempt``."""

    def on_poll(poll: Poll) -> None:
        if poll.attempt == attempt:
            also()
            sim.advance(60)

    return on_poll


def listening(sim: Simulator, clock: SkipClock) -> None:
    """The wait's listener has reached the simulator; time is past the timer's second poll."""
    registered(sim)
    clock.skip(100)


def test_a_machine_waiter_polls_when_the_feed_says_so(live: Simulator) -> None:
    clock = SkipClock()
    api = _client(live, clock)
    machine = _datacenter(live, clock).create_machine(name="fed")
    before = live.request_count("GetMachine")
    # after the first poll: past the timer's second poll (a listening wait never sleeps then),
    # and the machine becomes running (announced on the feed)
    thread, results = _in_thread(
        lambda: api.wait_machine_running(
            machine.id, on_poll=_advance_on(live, 1, also=lambda: listening(live, clock))
        )
    )
    thread.join(timeout=60)
    assert [getattr(r, "state", r) for r in results] == ["running"]
    # one poll to start with, one when the change is announced; no timer sleep
    assert live.request_count("GetMachine") - before == 2
    assert clock.sleeps == []


def test_without_the_feed_the_same_wait_polls(live: Simulator) -> None:
    clock = SkipClock()
    api = _client(live, clock, changefeed_waits=False)
    machine = _datacenter(live, clock).create_machine(name="polled")
    before = live.request_count("GetMachine")
    # timeout: a wait listening to the silent feed gives up after 10 s instead of the test's 120
    running = api.wait_machine_running(machine.id, timeout=10, on_poll=_advance_on(live, 3))
    assert running.state == "running"
    assert live.request_count("GetMachine") - before == 4  # three on the timer, then running
    assert len(clock.sleeps) == 3


def test_facade_waits_and_wait_all_listen_too(live: Simulator) -> None:
    from smartdc.facade import wait_all

    clock = SkipClock()
    dc = _datacenter(live, clock)
    single = dc.create_machine(name="one")
    before = live.request_count("GetMachine")
    # interval 0: the timer would poll at once, so only listening keeps the wait from sleeping
    thread, results = _in_thread(lambda: single.wait("running", timeout=60, interval=0))
    registered(live)
    until("the first poll", lambda: live.request_count("GetMachine") > before)
    live.advance(60)
    thread.join(timeout=60)
    assert [getattr(r, "state", r) for r in results] == ["running"]
    # the first poll (provisioning, or running if the advance came first), one when announced
    assert live.request_count("GetMachine") - before <= 2
    assert clock.sleeps == []

    many = [dc.create_machine(name=f"many-{n}") for n in range(5)]
    lists = live.request_count("ListMachines")
    thread, results = _in_thread(lambda: wait_all(many, "running", timeout=60, interval=0))
    registered(live)
    until("the first round", lambda: live.request_count("ListMachines") > lists)
    live.advance(60)
    thread.join(timeout=60)
    assert not [r for r in results if isinstance(r, Exception)], results
    # a first round, then one for the burst of announced changes (all running by then)
    assert live.request_count("ListMachines") - lists <= 2
    assert clock.sleeps == []
    assert {m.refresh().state for m in many} == {"running"}


def test_each_gap_in_the_feed_is_followed_by_a_poll(real_time: Simulator) -> None:
    import threading

    api = real_time.client()
    machine = real_time.datacenter().create_machine(name="gap")
    machine.wait("running", timeout=60)
    feed = real_time.state.datacenters[real_time.datacenter_names[0]].feed
    before = real_time.request_count("GetMachine")

    def polls() -> int:
        return real_time.request_count("GetMachine") - before

    results: list[object] = []
    waiting = threading.Thread(
        target=lambda: results.append(api.wait_machine_stopped(machine.id, timeout=60))
    )
    waiting.start()
    try:
        registered(real_time)
        until("the first poll", lambda: polls() == 1)
        # the machine does not change: only the drops can cause polls before the 60 s safety net
        for expected in (2, 3):
            feed.close()
            registered(real_time)
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
    clock = SkipClock()
    api = _client(live, clock)
    machine = _datacenter(live, clock).create_machine(name="plain")
    before = live.request_count("GetMachine")
    running = api.wait_machine_running(machine.id, timeout=10, on_poll=_advance_on(live, 3))
    assert running.state == "running"
    assert live.request_count("GetMachine") - before == 4
    assert len(clock.sleeps) == 3
