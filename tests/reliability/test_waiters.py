"""Waiters under failure: failed machines, vanished machines, deadlines and flaky polling.

The facade's waits sleep on the simulator's virtual clock, so provisioning times cost nothing.
"""

from __future__ import annotations

import pytest

from smartdc._generated.errors import ResourceNotFound
from smartdc.errors import OutcomeUnknownError, WaitFailed, WaitTimeout
from smartdc.facade import DataCenter
from smartdc.testing import Simulator, VirtualClock


def test_machine_going_failed_ends_the_wait(sim: Simulator, dc: DataCenter) -> None:
    machine = dc.create_machine(name="doomed")
    with pytest.raises(WaitFailed) as caught:
        machine.wait("running", timeout=600)
    assert caught.value.state == "failed"
    assert "'failed'" in str(caught.value)


def test_machine_deleted_while_waiting_for_running(
    sim: Simulator, dc: DataCenter, clock: VirtualClock
) -> None:
    machine = dc.create_machine(name="web-1")
    dc.api.delete_machine(id=machine.id)
    clock.advance(60)  # the delete completes: GetMachine now answers 410
    before = sim.request_count("GetMachine")
    with pytest.raises(WaitFailed):
        machine.wait("running", timeout=600)
    assert sim.request_count("GetMachine") - before == 1  # gone is final: no further polling


def test_unknown_machine_is_not_waited_for(sim: Simulator, dc: DataCenter) -> None:
    with pytest.raises(WaitFailed) as caught:
        dc.api.meta.wait("MachineRunning", id="3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a", timeout=60)
    assert isinstance(caught.value.error, ResourceNotFound)  # the error that explains it is kept
    assert "ResourceNotFound" in str(caught.value)
    assert sim.request_count("GetMachine") == 1


def test_deadline_gives_wait_timeout_with_last_state(
    sim: Simulator, dc: DataCenter, clock: VirtualClock
) -> None:
    sim.settings.provision_seconds = 10_000
    machine = dc.create_machine(name="slow")
    started = clock.now()
    with pytest.raises(WaitTimeout) as caught:
        machine.wait("running", timeout=120)
    assert str(caught.value.last_state) == "provisioning"
    assert caught.value.elapsed >= 120
    assert clock.now() - started <= 120 + 1e-6  # never slept past the deadline
    assert "provisioning" in str(caught.value)


@pytest.mark.parametrize(
    "effects",
    [
        {"status": 503, "times": 6},  # more than the transport's own retries
        {"status": 429, "times": 6},
        {"reset_before": True, "times": 5},
        {"hang": True, "times": 3},
        {"html": True, "times": 6},
    ],
    ids=["503", "429", "reset", "no answer", "proxy page"],
)
def test_transient_errors_while_polling_are_retried(
    sim: Simulator, dc: DataCenter, effects: dict[str, object]
) -> None:
    machine = dc.create_machine(name="web-1")
    sim.faults.add("GetMachine", **effects)
    machine.wait("running", timeout=1800)
    assert machine.state == "running"
    assert sim.request_count("GetMachine") > int(effects["times"])  # type: ignore[call-overload]
    assert sim.request_count("CreateMachine") == 1


def test_if_absent_after_a_lost_create_answer(sim: Simulator, dc: DataCenter) -> None:
    sim.faults.add("CreateMachine", reset_after=True, times=1)
    with pytest.raises(OutcomeUnknownError):
        dc.create_machine(name="db-1", if_absent=True)
    # The script is run again: the machine the lost answer was about is found, not re-created.
    machine = dc.create_machine(name="db-1", if_absent=True)
    again = dc.create_machine(name="db-1", if_absent=True)
    assert machine.id == again.id
    assert sim.request_count("CreateMachine") == 1
    assert len(dc.api.list_machines(name="db-1")) == 1
