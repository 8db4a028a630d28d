"""Query flags the server reads by truthiness of the raw string (``"false"`` is true there).

CloudAPI tests ``req.params.tombstone`` (and ``credentials``, ``membership``, ``sync``) as
JavaScript values: any non-empty string is true. A flag set to False must therefore not be sent at
all; True is sent as ``true``. The spec marks such parameters ``truthy: true``.
"""

from __future__ import annotations

from smartdc import CloudAPI
from smartdc.testing import Simulator

from .conftest import machine_args, watch_route


def test_a_false_tombstone_is_left_out(sim: Simulator, api: CloudAPI) -> None:
    seen = watch_route(sim, "ListMachines")
    api.list_machines(tombstone=False)
    api.list_machines(tombstone=True)
    assert "tombstone" not in seen[0].query and "tombstone" not in seen[0].raw_path
    assert seen[1].query["tombstone"] == "true"


def test_false_credentials_are_left_out(sim: Simulator, api: CloudAPI) -> None:
    machine = api.create_machine(name="m1", **machine_args(api))
    seen = watch_route(sim, "GetMachine")
    fetched = api.get_machine(machine.id, credentials=False)
    assert "credentials" not in seen[0].query
    assert "credentials" not in (fetched.metadata or {})
    listed = watch_route(sim, "ListMachineMetadata")
    api.list_machine_metadata(machine.id, credentials=False)
    assert "credentials" not in listed[0].query


def test_false_sync_and_membership_are_left_out(sim: Simulator, api: CloudAPI) -> None:
    keys = watch_route(sim, "ListKeys")
    api.list_keys(sync=False)
    assert "sync" not in keys[0].query
    api.create_user(login_name="bob", email="bob@example.com", password="Secret123!x")
    users = watch_route(sim, "GetUser")
    api.get_user("bob", membership=False)
    api.get_user("bob", membership=True)
    assert "membership" not in users[0].query and users[1].query["membership"] == "true"
