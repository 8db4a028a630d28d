"""Derived waits (conditions no spec acceptor states) as one adapter and one acceptor rule."""

from __future__ import annotations

import pytest

from smartdc.errors import WaitFailed
from smartdc.runtime.waiting import AcceptorSpec, Checked, WaiterSpec, derived_waiter, wait
from smartdc.testing import VirtualClock

BASE = WaiterSpec(
    "Base",
    "GetThing",
    "A base waiter.",
    1.0,
    5.0,
    60.0,
    (
        AcceptorSpec("success", "path", "ready", "state"),
        AcceptorSpec("failure", "path", "broken", "state"),
    ),
)


def test_failure_is_checked_before_success() -> None:
    spec = derived_waiter(BASE, "Thing done")
    with pytest.raises(WaitFailed):
        wait(lambda: (200, Checked("x", done=True, failed=True)), spec, clock=VirtualClock())


def test_kept_path_acceptors_read_the_state_shown() -> None:
    kept = [a for a in BASE.acceptors if a.state == "failure"]
    spec = derived_waiter(BASE, "Thing left", kept)
    assert (spec.min_delay, spec.max_delay, spec.timeout) == (1.0, 5.0, 60.0)
    with pytest.raises(WaitFailed) as caught:
        wait(lambda: (200, Checked("x", done=True, state="broken")), spec, clock=VirtualClock())
    assert caught.value.state == "broken"
    found = wait(lambda: (200, Checked("x", done=True, state="fine")), spec, clock=VirtualClock())
    assert found.value == "x"
