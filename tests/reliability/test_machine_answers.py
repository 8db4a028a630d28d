"""Answers of the machine routes as the CloudAPI 9.20 server code sends them.

* The ``?action=`` forms (start, stop, reboot, resize, rename, firewall) and DeleteMachine answer a
  destroyed machine with HTTP 410 and the machine itself as the body, not an error object
  (sdc-cloudapi lib/machines.js start()/stop()/.../del()); DeleteMachine may send the bare id
  instead. Both raise GoneError with that body.
* Keys the server drops without an error are refused before any request: tag names it uses
  itself (lib/tags.js add()/replace()), metadata keys likewise (lib/metadata.js add()), and
  CreateMachine metadata keys ending in ``_pw`` (lib/machines.js getCreateOptions()). CreateMachine's
  ``metadata.credentials`` is read by the server (internal metadata), so it is sent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from smartdc import CloudAPI
from smartdc.error_codes import InvalidParameter, UnallocatedVM
from smartdc.errors import ArgumentError, GoneError, WaitFailed
from smartdc.facade import DataCenter
from smartdc.testing import Simulator, VirtualClock
from smartdc.testing.router import SimResponse

from .conftest import machine_args, override_route


def _destroyed(api: CloudAPI, clock: VirtualClock) -> str:
    machine = api.create_machine(**machine_args(api))
    clock.advance(3600)
    api.delete_machine(id=str(machine.id))
    clock.advance(3600)
    return str(machine.id)


@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        ("stop_machine", {}),
        ("start_machine", {}),
        ("reboot_machine", {}),
        ("resize_machine", {"package": "sample-512M"}),
        ("rename_machine", {"name": "again"}),
        ("enable_machine_firewall", {}),
        ("disable_machine_firewall", {}),
        ("delete_machine", {}),
    ],
)
def test_action_on_a_destroyed_machine_raises_gone_with_it(
    api: CloudAPI, clock: VirtualClock, operation: str, extra: dict[str, Any]
) -> None:
    machine_id = _destroyed(api, clock)
    with pytest.raises(GoneError) as gone:
        getattr(api, operation)(id=machine_id, **extra)
    assert gone.value.status == 410
    assert isinstance(gone.value.body, dict)
    assert (gone.value.body["id"], gone.value.body["state"]) == (machine_id, "deleted")


def test_delete_answered_with_the_bare_id_raises_gone(sim: Simulator, api: CloudAPI) -> None:
    # lib/machines.js del(): when VMAPI's destroy job has succeeded, the 410 body is the id.
    machine_id = "3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a"
    as_json = json.dumps(machine_id).encode()
    override_route(
        sim,
        "DeleteMachine",
        lambda req: SimResponse(410, as_json, content_type="application/json"),
    )
    with pytest.raises(GoneError) as gone:
        api.delete_machine(id=machine_id)
    assert gone.value.body == machine_id


def test_facade_delete_of_a_destroyed_machine_shows_it_deleted(
    dc: DataCenter, clock: VirtualClock
) -> None:
    machine = dc.create_machine(name="web-1").wait("running")
    dc.api.delete_machine(id=machine.id)
    clock.advance(3600)
    machine.delete(wait=True)
    assert machine.state == "deleted"


def test_facade_action_on_a_destroyed_machine_raises_gone(
    dc: DataCenter, clock: VirtualClock
) -> None:
    machine = dc.create_machine(name="web-1").wait("running")
    dc.api.delete_machine(id=machine.id)
    clock.advance(3600)
    with pytest.raises(GoneError):
        machine.reboot(wait=True)


@pytest.mark.parametrize("key", ["account", "machine", "uuid", "owner_uuid", "context", "image"])
@pytest.mark.parametrize("operation", ["add_machine_tags", "replace_machine_tags"])
def test_tag_names_the_server_drops_are_refused_before_sending(
    sim: Simulator, api: CloudAPI, operation: str, key: str
) -> None:
    before = sim.request_count()
    with pytest.raises(ArgumentError, match=key):
        getattr(api, operation)(id="3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a", tags={key: "x"})
    assert sim.request_count() == before


def test_metadata_context_is_kept_by_the_server(sim: Simulator, api: CloudAPI) -> None:
    # lib/metadata.js add() drops `context` only for tags, not for metadata: it is sent.
    machine = api.create_machine(**machine_args(api))
    answer = api.update_machine_metadata(id=str(machine.id), metadata={"context": "kept"})
    assert answer["context"] == "kept"


def test_create_machine_sends_metadata_credentials(
    sim: Simulator, api: CloudAPI, clock: VirtualClock
) -> None:
    passwords = json.dumps({"root": "s3cret"})
    machine = api.create_machine(**machine_args(api), metadata={"credentials": passwords})
    clock.advance(3600)
    shown = api.get_machine(id=str(machine.id), credentials=True)
    assert shown.metadata["credentials"] == {"root": "s3cret"}
    assert "credentials" not in api.get_machine(id=str(machine.id)).metadata


def test_firewall_rule_machines_show_credentials_on_request(
    sim: Simulator, api: CloudAPI, clock: VirtualClock
) -> None:
    # lib/machines.js getRuleMachines() answers through translate(), which reads credentials
    passwords = json.dumps({"root": "s3cret"})
    machine = api.create_machine(**machine_args(api), metadata={"credentials": passwords})
    clock.advance(3600)
    rule = api.create_firewall_rule(rule=f"FROM any TO vm {machine.id} ALLOW tcp PORT 22")
    shown = api.list_firewall_rule_machines(id=str(rule.id), credentials=True)
    assert [m.metadata["credentials"] for m in shown] == [{"root": "s3cret"}]
    plain = api.list_firewall_rule_machines(id=str(rule.id))
    assert [m.id for m in plain] == [machine.id] and "credentials" not in plain[0].metadata


@pytest.mark.parametrize("key", ["root_pw", "-dash-first"])
def test_create_machine_metadata_keys_the_server_drops_are_refused(
    sim: Simulator, api: CloudAPI, key: str
) -> None:
    before = sim.request_count()
    with pytest.raises(ArgumentError, match=key):
        api.create_machine(
            image="3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a", package="p", metadata={key: "x"}
        )
    assert sim.request_count() == before


def test_create_machine_passwords_are_secret(sim: Simulator, api: CloudAPI) -> None:
    with pytest.raises(ArgumentError) as refused:
        api.create_machine(
            image="3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a",
            package="p",
            administrator_pw=["not", "a", "string"],  # type: ignore[arg-type]
        )
    assert "not" not in str(refused.value)


def _answer(sim: Simulator, route: str, body: Any) -> None:
    data = json.dumps(body).encode()
    override_route(sim, route, lambda req: SimResponse(200, data, content_type="application/json"))


MID = "3a4f4a5c-0d4e-4b1c-9a44-1e0d8c1f2b3a"


def test_snapshot_listed_without_a_job_has_no_state(sim: Simulator, api: CloudAPI) -> None:
    # lib/snapshots.js list(): the state is the snapshot job's execution, absent without a job.
    _answer(sim, "ListMachineSnapshots", [{"name": "before-upgrade"}])
    (snapshot,) = api.list_machine_snapshots(id=MID)
    assert (snapshot.name, snapshot.state) == ("before-upgrade", None)


def test_nic_without_an_address(sim: Simulator, api: CloudAPI) -> None:
    # lib/nics.js formatNic() copies NAPI's ip, netmask, gateway and network only when set.
    _answer(sim, "GetNic", {"mac": "90:b8:d0:2f:b8:f9", "primary": False, "state": "running"})
    nic = api.get_nic(id=MID, mac="90b8d02fb8f9")
    assert (nic.mac, nic.ip, nic.network) == ("90:b8:d0:2f:b8:f9", None, None)


def test_disk_without_a_pci_slot(sim: Simulator, api: CloudAPI) -> None:
    # lib/endpoints/disks.js translate() copies VMAPI's pci_slot, which old disks lack.
    disk_id = "0e3d3c0a-41b2-4bb5-9d4f-2f1f1e1b6b0a"
    _answer(
        sim,
        "GetMachineDisk",
        {"id": disk_id, "size": 10240, "boot": True, "state": "running"},
    )
    disk = api.get_machine_disk(id=MID, disk_id=disk_id)
    assert (str(disk.id), disk.pci_slot, disk.boot) == (disk_id, None, True)


def test_simulator_reads_tombstone_and_credentials_by_truthiness(
    sim: Simulator, api: CloudAPI, clock: VirtualClock
) -> None:
    # lib/machines.js getListOptions()/translate() and lib/metadata.js list() test the raw query
    # string: "false" is a non-empty string, so it means true, as on a real server.
    passwords = json.dumps({"root": "s3cret"})
    kept = api.create_machine(**machine_args(api), metadata={"credentials": passwords})
    machine_id = _destroyed(api, clock)
    base = f"/{sim.account}/machines"
    listed = api.meta.transport.request("GET", base, query={"tombstone": "false"}).data
    assert machine_id in [m["id"] for m in listed]
    one = api.meta.transport.request(
        "GET", f"{base}/{kept.id}", query={"credentials": "false"}
    ).data
    assert one["metadata"]["credentials"] == {"root": "s3cret"}
    metadata = api.meta.transport.request(
        "GET", f"{base}/{kept.id}/metadata", query={"credentials": "false"}
    ).data
    assert metadata["credentials"] == {"root": "s3cret"}


def test_stop_of_a_stopped_machine_is_accepted_and_its_job_fails(
    api: CloudAPI, clock: VirtualClock
) -> None:
    # VMAPI queues the job whatever the state; its ensure_vm_state step fails it
    # (sdc-vmapi lib/workflows/job-common.js ensureVmState()): 202, then a failed audit entry.
    machine_id = str(api.create_machine(**machine_args(api)).id)
    clock.advance(3600)
    api.stop_machine(id=machine_id)
    clock.advance(3600)
    api.stop_machine(id=machine_id)  # a 202 for a stopped machine: accepted, no error
    clock.advance(3600)
    assert api.get_machine(id=machine_id).state == "stopped"
    latest = api.machine_audit(id=machine_id)[0]
    assert (latest.action, latest.success) == ("stop", "no")


def test_facade_reboot_of_a_stopped_machine_fails_its_wait(
    dc: DataCenter, clock: VirtualClock
) -> None:
    machine = dc.create_machine(name="web-1").wait("running")
    machine.stop(wait=True)
    with pytest.raises(WaitFailed, match="reboot failed"):
        machine.reboot(wait=True)


def test_action_while_provisioning_is_unallocated_vm(api: CloudAPI) -> None:
    # sdc-vmapi lib/endpoints/vms.js updateVm(): 409 UnallocatedVM, passed through by CloudAPI.
    machine_id = str(api.create_machine(**machine_args(api)).id)
    with pytest.raises(UnallocatedVM, match="has not been provisioned yet"):
        api.reboot_machine(id=machine_id)


def test_image_from_an_unknown_machine_is_invalid_parameter(api: CloudAPI) -> None:
    # sdc-imgapi lib/images.js apiCreateImageFromVm(): VMAPI's 404 becomes 422 InvalidParameter.
    with pytest.raises(InvalidParameter, match="could not get VM"):
        api.create_image_from_machine(machine=MID, name="mine", version="1.0")


def test_metadata_and_tags_keep_their_json_types_end_to_end(api: CloudAPI, dc: DataCenter) -> None:
    # sdc-cloudapi getCreateOptions() copies metadata.* unchanged; VMAPI keeps strings, numbers
    # and booleans. The client sends them as given (it refused them before sending).
    made = api.create_machine(
        **machine_args(api), metadata={"flag": True, "n": 64, "s": "x"}, tags={"on": False}
    )
    assert (made.metadata["flag"], made.metadata["n"], made.metadata["s"]) == (True, 64, "x")
    assert made.tags == {"on": False}
    machine = dc.machine(str(made.id))
    machine.metadata.update({"ratio": 0.5})
    # GetMachineMetadata answers 404 for a value that is not a string: the facade reads the list
    assert (machine.metadata["flag"], machine.metadata["ratio"]) == (True, 0.5)
    with pytest.raises(ArgumentError):
        api.create_machine(**machine_args(api), metadata={"o": {"nested": 1}})  # type: ignore[dict-item]
