"""One meaning of "transient" (smartdc.transient), read by the transport's retries, the waiter
engine and the streams alike; 500 is resolved by what the server means by it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from smartdc import CloudAPI
from smartdc.errors import CloudAPIError, ConnectError, InvalidResponseError
from smartdc.testing import Simulator
from smartdc.transient import resendable, transient

from .conftest import machine_args

PACKAGE = Path(__file__).resolve().parents[2] / "smartdc"


@pytest.mark.parametrize(
    ("status", "idempotent", "expected"),
    [
        (429, False, True),  # throttled: nothing was done
        (420, False, True),
        (503, True, True),  # unavailable: only an idempotent request again
        (503, False, False),
        (500, True, False),  # CloudAPI's own failure: reported at once
        (404, True, False),
    ],
)
def test_what_the_transport_sends_again(status: int, idempotent: bool, expected: bool) -> None:
    assert resendable(status, idempotent) is expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (CloudAPIError("x", status=500), True),  # a loop asking again anyway outlives it
        (CloudAPIError("x", status=503), True),
        (CloudAPIError("x", status=429), True),
        (CloudAPIError("x", status=404), False),
        (CloudAPIError("x", status=409), False),
        (ConnectError("refused"), True),
        (InvalidResponseError("garbled"), True),
        (ValueError("ours"), False),
    ],
)
def test_what_waits_and_streams_outlive(error: BaseException, expected: bool) -> None:
    assert transient(error) is expected


def test_no_other_module_defines_transient_statuses() -> None:
    sets = re.compile(r"frozenset\(\{[^}]*\b(420|429|500|502|503|504)\b")
    found = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "testing" not in p.parts and p.name != "transient.py" and sets.search(p.read_text())
    ]
    assert found == []


def test_a_500_is_reported_at_once_by_a_call_and_outlived_by_a_wait(
    sim: Simulator, api: CloudAPI
) -> None:
    sim.faults.error("ListPackages", 500, times=1)
    before = sim.request_count("ListPackages")
    with pytest.raises(CloudAPIError) as caught:
        api.list_packages()
    assert caught.value.status == 500 and sim.request_count("ListPackages") - before == 1
    machine = api.create_machine(**machine_args(api))
    sim.faults.error("GetMachine", 500, times=2)
    assert api.wait_machine_running(machine.id, timeout=3600).state == "running"
