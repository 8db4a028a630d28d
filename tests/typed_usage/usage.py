"""Typical user code, checked by ``mypy --strict`` (tests/typed_usage/test_usage.py); never run.

A line ending in a comment ``E:`` followed by a text must be a type error whose message contains
that text; every other line must type-check. What it proves is listed in test_usage.py.
"""

from __future__ import annotations

from types import MappingProxyType

from typing_extensions import assert_type

import smartdc
from smartdc import CloudAPI, CloudAPIError, Config, DataCenter, error_codes
from smartdc import DataCentre  # E: Module "smartdc" has no attribute "DataCentre"
from smartdc import VolumeInUse  # E: Module "smartdc" has no attribute "VolumeInUse"
from smartdc.enums import MachineBrand, MachineState
from smartdc.error_codes import InvalidArgument, ResourceNotFound
from smartdc.error_codes import ResourceNotFund  # E: has no attribute "ResourceNotFund"
from smartdc.errors import CloudApiError  # E: has no attribute "CloudApiError"
from smartdc.errors import NotFoundError, SmartDCError, WaitTimeout
from smartdc.models import Machine as MachineModel
from smartdc.models import Network

# -- error classes are real classes: the hierarchy in smartdc.errors, the codes in smartdc.error_codes --
assert_type(ResourceNotFound("gone", status=404).status, int)
error_class: type[CloudAPIError] = InvalidArgument
base: type[SmartDCError] = NotFoundError
smartdc.ResourceNotFund  # E: Module has no attribute "ResourceNotFund"
error_codes.CloudApiError("x", status=500)
smartdc.error_codes.VolumeInUse("x", status=409)


def get_or_none(api: CloudAPI, machine_id: str) -> MachineModel | None:
    try:
        return api.get_machine(machine_id)
    except ResourceNotFound as exc:
        assert_type(exc.request_id, str | None)
        return None
    except WaitTimeout:
        return None


# -- the generated client -----------------------------------------------------------------------------
api = CloudAPI(Config(url="https://cloudapi.example", account="me", key_id="aa:bb"))
machine = api.get_machine("b6979942-7d5d-4fe6-a2ec-b812e950625a")
assert_type(machine, MachineModel)
assert_type(machine.state, MachineState)
assert_type(machine.brand, MachineBrand)
assert_type(machine.memory, int)
machine.stauts  # E: "Machine" has no attribute "stauts"
api.get_machine(42)  # E: Argument 1 to "get_machine" of "CloudAPI" has incompatible type "int"
api.list_machines(stat="running")  # E: Unexpected keyword argument "stat"
ips = api.list_network_ips("net-id")
api.list_network_i_ps("net-id")  # E: "CloudAPI" has no attribute "list_network_i_ps"
vlans = api.list_fabric_vlans()
networks: list[Network] = api.list_networks()

# -- one signature per operation: HEAD and lazy-paging forms take the same typed arguments ----------
count: str = api.head_list_machines(state="running")["x-resource-count"]
for each in api.iter_list_machines(brand="lx", limit=100):
    assert_type(each, MachineModel)
api.iter_list_machines(stat="running")  # E: Unexpected keyword argument "stat"
api.head_get_machine(42)  # E: Argument 1 has incompatible type "int"
all_machines: list[MachineModel] = api.list_machines()  # every page
one_page: list[MachineModel] = api.list_machines(limit=10, offset=20)

# -- arguments take any Mapping / Sequence the runtime accepts ----------------------------------------
api.create_machine(
    image="img",
    package="pkg",
    tags=MappingProxyType({"role": "web", "n": 1}),
    networks=("net-1", "net-2"),
    metadata=MappingProxyType({"k": "v"}),
)
api.create_machine(image="img", package="pkg", networks=[1, 2])  # E: incompatible type "list[int]"

# -- the facade: every model field is a typed attribute; filters are the client's --------------------
dc = DataCenter()
web = dc.machine("web-1")
assert_type(web.state, MachineState)
assert_type(web.primary_ip, str | None)
assert_type(web.memory, int)
assert_type(web.brand, MachineBrand)
web.stauts  # E: "BoundMachine" has no attribute "stauts"
web.tags["role"] = "web"
for running in dc.machines(state="running", tags={"role": "web"}):
    assert_type(running.name, str | None)
dc.machines(stat="running")  # E: Unexpected keyword argument "stat"
dc.images(nme="base")  # E: Unexpected keyword argument "nme"
snapshot = web.create_snapshot("before")
assert_type(snapshot.name, str)
snapshot.stat  # E: "BoundSnapshot" has no attribute "stat"

# -- instance states are checked: a misspelt one is a type error (and an ArgumentError at run time) --
web.wait("running", timeout=600)
web.wait(["running", "failed"])
web.wait(MachineState.STOPPED)
web.poll_while("provisioning")
web.wait("runing")  # E: Argument 1 to "wait" of "BoundMachine" has incompatible type
web.poll_while("provisoning")  # E: to "poll_while" of "BoundMachine" has incompatible type
