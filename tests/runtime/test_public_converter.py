"""``smartdc.converter``: the cattrs converter users pass to their own code."""

from __future__ import annotations

import json
from typing import Any

from smartdc.converter import converter
from smartdc.enums import MachineState
from smartdc.models import Machine

MACHINE: dict[str, Any] = {
    "id": "b6979942-7d5d-4fe6-a2ec-b812e950625a",
    "name": "web-1",
    "type": "smartmachine",
    "brand": "joyent",
    "state": "running",
    "image": "2b683a82-a066-11e3-97ab-2faa44701c5a",
    "ips": ["10.88.88.3"],
    "memory": 128,
    "disk": 12288,
    "metadata": {},
    "tags": {"role": "web"},
    "created": "2026-11-30T10:00:00.000Z",
    "updated": "2026-11-30T10:05:00.000Z",
    "firewall_enabled": False,
    "compute_node": "44454c4c-5700-1047-804d-b3c04f4d4d31",
    "package": "g4-highcpu-128M",
    "futureField": {"kept": True},  # a field the spec does not know
}


def test_structures_lists_of_models_and_writes_them_back_unchanged() -> None:
    [machine] = converter.structure(json.loads(json.dumps([MACHINE])), list[Machine])
    assert isinstance(machine, Machine) and machine.state is MachineState.RUNNING
    assert machine.extra == {"futureField": {"kept": True}}
    assert converter.unstructure([machine]) == [MACHINE]


def test_enums_are_their_wire_strings() -> None:
    assert converter.structure("stopped", MachineState) is MachineState.STOPPED
    assert converter.unstructure(MachineState.STOPPED) == "stopped"
