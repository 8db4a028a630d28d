"""Waits on a virtual clock: backoff, deadlines, failures, progress, many machines at once."""

from __future__ import annotations

import pytest

from smartdc.errors import WaitFailed, WaitTimeout
from smartdc.facade import BoundMachine, DataCenter, wait_all
from smartdc.testing import Settings, Simulator, VirtualClock


@pytest.fixture
def settings() -> Settings:
    # a slow cloud: provisioning takes 30 s, stopping 10 s
    return Settings(provision_seconds=30, stop_seconds=10, fail_provision_names={"doomed"})


def test_wait_running_polls_with_backoff(
    dc: DataCenter, vsim: Simulator, clock: VirtualClock
) -> None:
    machine = dc.create_machine(name="slow")
    started = clock.now()
    before = vsim.request_count("GetMachine")
    machine.wait("running")
    polls = vsim.request_count("GetMachine") - before
    waited = clock.now() - started
    assert machine.state == "running"
    assert waited >= 30
    # backoff: far fewer polls than one per second, and the change is seen promptly
    assert 3 <= polls < 30
    assert waited - 30 < 15


def test_poll_while_returns_once_the_state_changes(dc: DataCenter, clock: VirtualClock) -> None:
    machine = dc.create_machine(name="slow")
    started = clock.now()
    machine.poll_while("provisioning")
    assert machine.state == "running"
    assert clock.now() - started >= 30


def test_poll_until_and_fixed_interval(dc: DataCenter, vsim: Simulator) -> None:
    machine = dc.create_machine(name="steady")
    before = vsim.request_count("GetMachine")
    machine.poll_until("running", interval=5)
    # every 4-5 s (jittered down by < 20%) for 30 s: 6 to 8 sleeps, then the poll that sees it
    assert 7 <= vsim.request_count("GetMachine") - before <= 9


def test_timeout_is_typed_with_the_last_state(dc: DataCenter) -> None:
    machine = dc.create_machine(name="slow")
    with pytest.raises(WaitTimeout) as caught:
        machine.wait("running", timeout=10)
    assert caught.value.last_state == "provisioning"
    assert caught.value.elapsed >= 10


def test_failed_provisioning_fails_the_wait_at_once(dc: DataCenter, clock: VirtualClock) -> None:
    machine = dc.create_machine(name="doomed")
    with pytest.raises(WaitFailed) as caught:
        machine.poll_while("provisioning")
    assert caught.value.state == "failed"
    started = clock.now()
    with pytest.raises(WaitFailed):
        machine.wait("running")
    assert clock.now() - started < 1  # no waiting for a state that will never come


def test_waiting_for_failed_succeeds(dc: DataCenter) -> None:
    machine = dc.create_machine(name="doomed")
    machine.wait("failed")
    assert machine.state == "failed"


def test_deleted_fails_other_waits_and_ends_a_delete_wait(dc: DataCenter) -> None:
    machine = dc.create_machine(name="short-lived").wait("running")
    machine.delete()
    machine.wait("deleted")
    with pytest.raises(WaitFailed):
        machine.wait("stopped")


def test_wait_for_a_state_without_a_spec_waiter(dc: DataCenter) -> None:
    machine = dc.create_machine(name="m").wait("running")
    machine.stop()
    machine.wait("stopping")  # the state seen while stopping
    assert machine.state == "stopping"


def test_progress_reports_each_poll(dc: DataCenter) -> None:
    machine = dc.create_machine(name="watched")
    seen: list[tuple[str, float]] = []
    machine.wait("running", progress=lambda state, elapsed: seen.append((state, elapsed)))
    assert seen[0][0] == "provisioning"
    assert seen[-1][0] == "running"
    assert [e for _, e in seen] == sorted(e for _, e in seen)


def test_wait_all_uses_one_list_per_round(dc: DataCenter, vsim: Simulator) -> None:
    machines = [dc.create_machine(name=f"fleet-{i}") for i in range(5)]
    gets = vsim.request_count("GetMachine")
    lists = vsim.request_count("ListMachines")
    done = wait_all(machines, "running")
    assert [m.state for m in done] == ["running"] * 5
    assert vsim.request_count("GetMachine") == gets  # no per-machine polling
    rounds = vsim.request_count("ListMachines") - lists
    # as many rounds as one machine's wait takes polls (up to jitter), not five times as many
    single = dc.create_machine(name="alone")
    gets = vsim.request_count("GetMachine")
    single.wait("running")
    assert 1 <= rounds <= vsim.request_count("GetMachine") - gets + 5
    assert dc.wait_all(machines, "running") == machines  # already there: one round


def test_wait_all_fails_when_one_fails(dc: DataCenter) -> None:
    machines = [dc.create_machine(name="fine"), dc.create_machine(name="doomed")]
    with pytest.raises(WaitFailed, match=r"is failed"):
        wait_all(machines, "running")


def test_wait_all_deleted_and_timeout(dc: DataCenter) -> None:
    machines = [dc.create_machine(name=f"gone-{i}") for i in range(3)]
    with pytest.raises(WaitTimeout):
        wait_all(machines, "running", timeout=5)
    wait_all(machines, "running")
    for machine in machines:
        machine.delete()
    wait_all(machines, "deleted")
    assert list(dc.machines()) == []


def test_snapshot_wait(running_slow: BoundMachine) -> None:
    snapshot = running_slow.create_snapshot("snap")
    assert snapshot.state == "queued"
    assert snapshot.poll_until("created").state == "created"


@pytest.fixture
def running_slow(dc: DataCenter) -> BoundMachine:
    return dc.create_machine(name="slow").wait("running")
