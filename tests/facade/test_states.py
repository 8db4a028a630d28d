"""Instance states are checked before any wait: a typo never becomes a wait that cannot end."""

from __future__ import annotations

from typing import Any

import pytest

from smartdc.errors import ArgumentError
from smartdc.facade import DataCenter, wait_all
from smartdc.testing import Simulator


@pytest.mark.parametrize(
    ("call", "typo", "meant"),
    [
        ("wait", "runing", "running"),
        ("poll_until", "stoped", "stopped"),
        ("poll_while", "provisoning", "provisioning"),
    ],
)
def test_a_misspelt_state_is_refused_with_the_closest_name(
    vsim: Simulator, dc: DataCenter, call: str, typo: str, meant: str
) -> None:
    machine = dc.create_machine(name="typo")
    before = vsim.request_count()
    method: Any = getattr(machine, call)
    with pytest.raises(ArgumentError, match=f"did you mean '{meant}'"):
        method(typo)
    assert vsim.request_count() == before  # refused before any request


def test_wait_all_checks_the_state_too(vsim: Simulator, dc: DataCenter) -> None:
    machine = dc.create_machine(name="many")
    with pytest.raises(ArgumentError, match="'nonsense' is not an instance state"):
        wait_all([machine], "nonsense")  # type: ignore[arg-type]


def test_a_wait_for_one_of_several_states(vsim: Simulator, dc: DataCenter) -> None:
    machine = dc.create_machine(name="either")
    assert machine.wait(["stopped", "running"], timeout=600).state == "running"
