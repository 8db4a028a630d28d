"""Generated method names read as the operations they call: no one-letter segments."""

from __future__ import annotations

import re

import pytest

from codegen.ir import snake
from smartdc import CloudAPI
from smartdc._generated.service import SERVICE
from smartdc.runtime.client import RESERVED_NAMES
from smartdc.testing import Simulator


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ListMachines", "list_machines"),
        ("ListNetworkIPs", "list_network_ips"),
        ("ListFabricVLANs", "list_fabric_vlans"),
        ("GetFabricVLAN", "get_fabric_vlan"),
        ("ListNICs", "list_nics"),
        ("GetNIC", "get_nic"),
        ("AddNIC", "add_nic"),
        ("ListIPsForVLANs", "list_ips_for_vlans"),
        ("UpdateNetworkIP", "update_network_ip"),
        ("MachineRunning", "machine_running"),
        ("ReplaceUserKeysResourcesRoleTags", "replace_user_keys_resources_role_tags"),
        ("GetVNCConsole", "get_vnc_console"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert snake(name) == expected


def _generated_names() -> list[tuple[str, str]]:
    """(CloudAPI name, generated method) for every operation and waiter of the client."""
    names = [(op.name, op.method_name) for op in SERVICE.operations.values()]
    names += [(w, "wait_" + snake(w)) for w in SERVICE.waiters]
    return names


def test_every_generated_name_reads_as_the_operation() -> None:
    broken = []
    for operation, method in _generated_names():
        segments = method.split("_")
        if any(len(s) == 1 for s in segments) or method.replace("_", "").removeprefix(
            "wait"
        ) != operation.lower().removeprefix("wait"):
            broken.append(f"{operation} -> {method}")
        assert hasattr(CloudAPI, method), f"{operation}: CloudAPI has no {method}"
    assert broken == []


def test_every_public_client_method_has_a_name_without_one_letter_segments() -> None:
    public = [n for n in dir(CloudAPI) if not n.startswith("_")]
    assert [n for n in public if re.search(r"(^|_)[a-z](_|$)", n)] == []


def test_the_client_surface_is_the_operations_close_and_meta() -> None:
    """Runtime plumbing (call, paginate, decode, wait by name, config, transport, clock ...) is
    behind ``client.meta``; the client's own public names are its operations and their forms."""
    methods = {method for _, method in _generated_names()}
    forms = {f"{prefix}_{m}" for m in methods for prefix in ("head", "iter")}
    public = {n for n in dir(CloudAPI) if not n.startswith("_")}
    assert public - methods - forms == {"close"}
    assert {"close", "meta"} == RESERVED_NAMES
    with Simulator() as sim, sim.client() as client:
        assert {n for n in vars(client) if not n.startswith("_")} == {"meta"}
        assert client.meta.config.url == sim.url
