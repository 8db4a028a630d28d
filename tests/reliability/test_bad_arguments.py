"""Argument mistakes are named before anything is sent: the server sees zero requests."""

from __future__ import annotations

from typing import Any

import pytest

from smartdc import CloudAPI
from smartdc.errors import ArgumentError, SmartDCError, UnknownOperationError
from smartdc.testing import Simulator

MACHINE = "3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a"


@pytest.mark.parametrize(
    ("operation", "params", "error", "says"),
    [
        ("GetMachne", {"id": MACHINE}, UnknownOperationError, "GetMachne"),
        ("GetMachine", {"id": MACHINE, "colour": "red"}, ArgumentError, "colour"),
        ("GetMachine", {}, ArgumentError, "missing required parameter 'id'"),
        ("GetMachine", {"id": ""}, ArgumentError, "'id' must be a non-empty string"),
        ("GetMachine", {"id": "   "}, ArgumentError, "'id' must be a non-empty string"),
        ("GetMachine", {"id": 42}, ArgumentError, "'id'"),
        ("ListMachines", {"limit": "ten"}, ArgumentError, "'limit' must be an integer"),
        ("ListMachines", {"limit": True}, ArgumentError, "'limit' must be an integer"),
        (
            "UpdateMachineMetadata",
            {"id": MACHINE, "metadata": {"a": [1]}},
            ArgumentError,
            "metadata",
        ),
        ("UpdateMachineMetadata", {"id": MACHINE, "metadata": "a=b"}, ArgumentError, "metadata"),
        ("GetMachineTag", {"id": MACHINE, "tag": ""}, ArgumentError, "'tag'"),
    ],
)
def test_mistake_is_named_before_any_request(
    sim: Simulator,
    api: CloudAPI,
    operation: str,
    params: dict[str, Any],
    error: type[SmartDCError],
    says: str,
) -> None:
    before = sim.request_count()
    with pytest.raises(error) as caught:
        api.meta.call_operation(operation, **params)
    assert says in str(caught.value)
    assert sim.request_count() == before


def test_typed_method_checks_too(sim: Simulator, api: CloudAPI) -> None:
    before = sim.request_count()
    with pytest.raises(ArgumentError, match="'id'"):
        api.get_machine("")
    with pytest.raises(ArgumentError, match="metadata"):
        # strings, numbers and booleans are metadata values (VMAPI validMetadata()), not objects
        api.create_machine(image=MACHINE, package="p", metadata={"n": {"x": 1}})  # type: ignore[dict-item]
    assert sim.request_count() == before


def test_unsendable_body_is_named_before_any_request(sim: Simulator, api: CloudAPI) -> None:
    before = sim.request_count()
    with pytest.raises(ArgumentError):
        api.add_machine_tags(id=MACHINE, tags={"when": object()})  # type: ignore[dict-item]
    assert sim.request_count() == before
