"""Firewall rules, fabrics, NICs, volumes, disks, migrations and the WebSocket endpoints of the
simulator, over real signed HTTP on a virtual clock."""

from __future__ import annotations

import json
from typing import Any

from smartdc.testing.simulator import Simulator

from ..sigclient import SigClient
from .conftest import running_machine


def test_firewall_rules_select_machines_by_vm_and_tag(vsim: Simulator, vsig: SigClient) -> None:
    web = running_machine(vsim, vsig, **{"tag.role": "web"})
    other = running_machine(vsim, vsig)
    bad = vsig.post("/my/fwrules", {"rule": "let everything in"})
    assert (bad.status, bad.json["code"]) == (422, "InvalidParameters")  # FWAPI's, passed on
    assert bad.json["errors"][0]["field"] == "rule"
    missing = vsig.post("/my/fwrules", {"enabled": True})
    assert (missing.status, missing.json["code"]) == (409, "MissingParameter")
    by_tag = vsig.post("/my/fwrules", {"rule": "FROM any TO tag role=web ALLOW tcp PORT 80"}).json
    by_vm = vsig.post(
        "/my/fwrules", {"rule": f"FROM any TO vm {other} BLOCK udp PORT all", "enabled": True}
    ).json
    assert by_tag["enabled"] is False and by_vm["enabled"] is True
    assert [m["id"] for m in vsig.get(f"/my/fwrules/{by_tag['id']}/machines").json] == [web]
    assert [r["id"] for r in vsig.get(f"/my/machines/{other}/fwrules").json] == [by_vm["id"]]
    assert vsig.post(f"/my/fwrules/{by_tag['id']}/enable").json["enabled"] is True
    updated = vsig.post(f"/my/fwrules/{by_tag['id']}", {"description": "web"}).json
    assert updated["description"] == "web" and updated["enabled"] is True
    assert vsig.delete(f"/my/fwrules/{by_tag['id']}").status == 204
    assert vsig.get(f"/my/fwrules/{by_tag['id']}").status == 404


def test_fabric_vlans_and_networks(vsig: SigClient) -> None:
    vlans = vsig.get("/my/fabrics/default/vlans").json
    assert [v["vlan_id"] for v in vlans] == [2]
    made = vsig.post("/my/fabrics/default/vlans", {"vlan_id": 100, "name": "backend"})
    assert made.status == 201
    assert vsig.post("/my/fabrics/default/vlans", {"vlan_id": 100, "name": "again"}).status == 409
    network = vsig.post(
        "/my/fabrics/default/vlans/100/networks",
        {
            "name": "be",
            "subnet": "10.50.0.0/24",
            "provision_start_ip": "10.50.0.10",
            "provision_end_ip": "10.50.0.200",
        },
    )
    assert network.status == 201 and network.json["fabric"] is True
    assert network.json["id"] in [
        n["id"] for n in vsig.get("/my/networks", query={"fabric": "true"}).json
    ]
    in_use = vsig.delete("/my/fabrics/default/vlans/100")
    # NAPI's 422 InUse, which sdc-cloudapi lib/endpoints/networks.js translateErr() answers as
    # 409 InvalidArgument with the messages of NAPI's errors list.
    assert (in_use.status, in_use.json["code"]) == (409, "InvalidArgument")
    assert in_use.json["message"] == f'In use by network "{network.json["id"]}"'

    assert vsig.put("/my/fabrics/default/vlans/100", {"description": "x"}).status == 202
    assert vsig.delete(f"/my/fabrics/default/vlans/100/networks/{network.json['id']}").status == 204
    assert vsig.delete("/my/fabrics/default/vlans/100").status == 204
    assert vsig.get("/my/fabrics/default/vlans/100").status == 404
    reserved_id = vsig.post("/my/fabrics/default/vlans", {"vlan_id": 1, "name": "x1"})
    assert (reserved_id.status, reserved_id.json["code"]) == (409, "InvalidArgument")
    bad_name = vsig.post("/my/fabrics/default/vlans", {"vlan_id": 5, "name": "9lives"})
    assert bad_name.json["code"] == "InvalidArgument"
    # A key the schema requires is a 409 InvalidArgument in jsprim's words, never MissingParameter
    # (sdc-cloudapi lib/endpoints/networks.js schemaValidate()).
    nameless = vsig.post("/my/fabrics/default/vlans", {"vlan_id": 5})
    assert (nameless.status, nameless.json) == (
        409,
        {"code": "InvalidArgument", "message": 'property "name": is missing and it is required'},
    )
    outside = vsig.post(
        "/my/fabrics/default/vlans/2/networks",
        {
            "name": "out",
            "subnet": "10.60.0.0/24",
            "provision_start_ip": "10.60.0.10",
            "provision_end_ip": "10.60.0.20",
            "gateway": "10.61.0.1",
        },
    )
    assert outside.json["message"].startswith('property "gateway"')
    default = next(n for n in vsig.get("/my/fabrics/default/vlans/2/networks").json)
    assert not any(k.startswith("_sim") for k in default)
    refused = vsig.delete(f"/my/fabrics/default/vlans/2/networks/{default['id']}")
    assert (refused.status, refused.json["message"]) == (409, "cannot delete default network")


def test_nics_add_list_remove(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig)
    nics = vsig.get(f"/my/machines/{mid}/nics")
    assert nics.headers["x-resource-count"] == "2"
    fabric = next(n for n in vsig.get("/my/networks").json if n.get("fabric"))
    added = vsig.post(f"/my/machines/{mid}/nics", {"network": fabric["id"]})
    assert added.status == 201 and added.json["state"] == "provisioning"
    mac = added.json["mac"].replace(":", "")
    again = vsig.post(f"/my/machines/{mid}/nics", {"network": fabric["id"]})
    assert (again.status, again.body) == (302, b"")
    assert again.headers["Location"] == f"/sim/machines/{mid}/nics/{mac}"
    missing = vsig.post(f"/my/machines/{mid}/nics", {})
    assert (missing.status, missing.json["code"]) == (409, "MissingParameter")
    unknown = vsig.post(
        f"/my/machines/{mid}/nics", {"network": "0" * 8 + "-0000-4000-8000-" + "0" * 12}
    )
    assert (unknown.status, unknown.json["code"]) == (409, "InvalidArgument")
    assert vsig.get(f"/my/machines/{mid}/nics/zz").json["code"] == "InvalidArgument"
    assert vsig.get(f"/my/machines/{mid}/nics/{mac}").json["state"] == "provisioning"
    vsim.advance(vsim.settings.reboot_seconds + 0.01)
    assert vsig.get(f"/my/machines/{mid}/nics/{mac}").json["state"] == "running"
    assert vsig.delete(f"/my/machines/{mid}/nics/{mac}").status == 204
    assert vsig.get(f"/my/machines/{mid}/nics/{mac}").status == 404
    assert fabric["id"] not in vsig.get(f"/my/machines/{mid}").json["networks"]


def _volume(sig: SigClient, **body: Any) -> Any:
    return sig.post("/my/volumes", {"type": "tritonnfs", **body})


def test_volumes_lifecycle(vsim: Simulator, vsig: SigClient) -> None:
    assert {s["size"] for s in vsig.get("/my/volumesizes").json} >= {10240, 102400}
    made = _volume(vsig, name="data", size=20480)
    assert made.status == 201 and made.json["state"] == "creating"
    assert made.json["refs"] == [] and made.json["type"] == "tritonnfs"
    assert _volume(vsig, name="data").json["code"] == "VolumeAlreadyExists"
    assert _volume(vsig, size=12345).json["code"] == "VolumeSizeNotAvailable"
    untyped = vsig.post("/my/volumes", {"name": "untyped"})
    assert (untyped.status, untyped.json["code"]) == (409, "InvalidArgument")
    assert _volume(vsig, name="-bad").json["code"] == "InvalidArgument"
    assert _volume(vsig, size="big").json["code"] == "InvalidArgument"
    vsim.advance(vsim.settings.volume_create_seconds + 0.01)
    vid = made.json["id"]
    assert vsig.get(f"/my/volumes/{vid}").json["state"] == "ready"
    listed = vsig.get("/my/volumes", query={"name": "da*"})
    assert [v["name"] for v in listed.json] == ["data"]
    assert listed.headers["x-resource-count"] == "1"
    assert vsig.get("/my/volumes", query={"colour": "red"}).json["message"] == (
        "Error: invalid parameter: colour"
    )
    assert vsig.get("/my/volumes", query={"state": "sleepy"}).status == 409
    assert vsig.get("/my/volumes/not-a-uuid").json["code"] == "InvalidArgument"
    renamed = vsig.post(f"/my/volumes/{vid}", {"name": "data2"})
    assert renamed.status == 200 and renamed.json["name"] == "data2"
    assert vsig.post(f"/my/volumes/{vid}", query={"size": "10240"}).status == 409
    assert vsig.post(f"/my/volumes/{vid}", {"size": 10240}).json["size"] == 20480  # ignored
    assert vsig.delete(f"/my/volumes/{vid}").status == 204
    assert vsig.get(f"/my/volumes/{vid}").json["state"] == "deleting"
    vsim.advance(vsim.settings.delete_seconds + 0.01)
    gone = vsig.get(f"/my/volumes/{vid}")
    assert (gone.status, gone.json["code"]) == (404, "VolumeNotFound")


def test_volume_predicate_filters(vsim: Simulator, vsig: SigClient) -> None:
    for name, tag in (("alpha", "a"), ("beta", "b")):
        assert _volume(vsig, name=name, tags={"group": tag}).status == 201
    vsim.advance(vsim.settings.volume_create_seconds + 0.01)

    def names(predicate: object, **query: str) -> Any:
        reply = vsig.get("/my/volumes", query={"predicate": json.dumps(predicate), **query})
        return [v["name"] for v in reply.json] if reply.status == 200 else reply.json["code"]

    assert names({"eq": ["name", "alpha"]}) == ["alpha"]
    assert names({"or": [{"eq": ["tags.group", "b"]}, {"eq": ["name", "alpha"]}]}) == [
        "alpha",
        "beta",
    ]
    assert names({"and": [{"eq": ["state", "ready"]}, {"ne": ["name", "alpha"]}]}) == ["beta"]
    assert names({"eq": ["name", "alpha"]}, name="alpha") == "InvalidArgument"  # field twice


def test_mounted_volume_is_in_use(vsim: Simulator, vsig: SigClient) -> None:
    vid = _volume(vsig, name="shared").json["id"]
    vsim.advance(vsim.settings.volume_create_seconds + 0.01)
    mount = [{"name": "shared", "type": "tritonnfs", "mode": "rw", "mountpoint": "/data"}]
    mid = running_machine(vsim, vsig, volumes=mount)
    assert vsig.get(f"/my/volumes/{vid}").json["refs"] == [mid]
    busy = vsig.delete(f"/my/volumes/{vid}")
    assert (busy.status, busy.json["code"]) == (409, "VolumeInUse")
    assert vsig.post(f"/my/volumes/{vid}", {"name": "renamed"}).json["code"] == "VolumeInUse"
    bad_mount = [{"name": "shared", "mountpoint": "relative"}]
    image = vsig.get("/my/images", query={"name": "base-64-lts"}).json[-1]["id"]
    refused = vsig.post(
        "/my/machines", {"image": image, "package": "g4-highcpu-1G", "volumes": bad_mount}
    )
    assert (refused.status, refused.json["code"]) == (409, "InvalidArgument")
    assert vsig.delete(f"/my/machines/{mid}").status == 204
    vsim.advance(vsim.settings.delete_seconds + 0.01)
    assert vsig.get(f"/my/volumes/{vid}").json["refs"] == []
    assert vsig.delete(f"/my/volumes/{vid}").status == 204


def test_disks_need_bhyve_and_a_stopped_instance(vsim: Simulator, vsig: SigClient) -> None:
    joyent = running_machine(vsim, vsig)
    assert vsig.get(f"/my/machines/{joyent}/disks").json == []
    not_bhyve = vsig.post(f"/my/machines/{joyent}/disks", {"size": 1024})
    assert (not_bhyve.status, not_bhyve.json["code"]) == (409, "InvalidArgument")
    mid = running_machine(vsim, vsig, image="ubuntu-certified-22.04")
    disks = vsig.get(f"/my/machines/{mid}/disks").json
    # a package without flexible disk space: the image's disk and one of the package's size
    assert [(d["boot"], d["state"]) for d in disks] == [(True, "running"), (False, "running")]
    running = vsig.post(f"/my/machines/{mid}/disks", {"size": 2048})
    assert (running.status, running.json["message"]) == (409, "VM must be stopped")
    vsig.post(f"/my/machines/{mid}", query={"action": "stop"})
    vsim.advance(vsim.settings.stop_seconds + 0.01)
    assert vsig.post(f"/my/machines/{mid}/disks", {}).json["code"] == "MissingParameter"
    assert vsig.post(f"/my/machines/{mid}/disks", {"size": "big"}).json["code"] == (
        "InvalidArgument"
    )
    bad_slot = vsig.post(f"/my/machines/{mid}/disks", {"size": 1024, "pci_slot": "nine"})
    assert bad_slot.json["message"] == "pci_slot has wrong format"
    assert vsig.post(f"/my/machines/{mid}/disks", {"size": 2048}).status == 202
    with_slot = vsig.post(f"/my/machines/{mid}/disks", {"size": 1024, "pci_slot": "0:9:0"})
    assert with_slot.status == 200 and with_slot.json["state"] == "creating"
    disk_id = with_slot.json["id"]
    assert with_slot.headers["Location"] == f"/sim/machines/{mid}/disks/{disk_id}"
    assert len(vsig.get(f"/my/machines/{mid}/disks").json) == 4
    vsim.advance(vsim.settings.stop_seconds + 0.01)
    assert vsig.get(f"/my/machines/{mid}/disks/{disk_id}").json["state"] == "stopped"
    resized = vsig.post(f"/my/machines/{mid}/disks/{disk_id}", {"size": 4096})
    assert resized.json["state"] == "resizing" and resized.json["size"] == 4096
    shrink = vsig.post(f"/my/machines/{mid}/disks/{disk_id}", {"size": 512})
    assert shrink.json["code"] == "InvalidArgument"
    vsim.advance(vsim.settings.stop_seconds + 0.01)
    shrunk = vsig.post(
        f"/my/machines/{mid}/disks/{disk_id}", {"size": 512, "dangerous_allow_shrink": True}
    )
    assert shrunk.json["size"] == 512
    assert vsig.delete(f"/my/machines/{mid}/disks/{disk_id}").status == 204
    assert vsig.get(f"/my/machines/{mid}/disks/{disk_id}").json["state"] == "deleting"
    vsim.advance(vsim.settings.stop_seconds + 0.01)
    gone = vsig.get(f"/my/machines/{mid}/disks/{disk_id}")
    assert (gone.status, gone.json["message"]) == (404, "disk not found")
    boot = disks[0]["id"]
    assert vsig.delete(f"/my/machines/{mid}/disks/{boot}").status == 409


def test_migration_automatic_then_finalize(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig)
    assert vsig.post(f"/my/machines/{mid}/migrate").json["code"] == "MissingParameter"
    started = vsig.post(f"/my/machines/{mid}/migrate", query={"action": "automatic"})
    assert started.status == 201 and started.json["state"] == "running"
    vsim.advance(3 * vsim.settings.migration_step_seconds + 0.01)
    done = vsig.get(f"/my/migrations/{mid}").json
    assert done["state"] == "successful"
    assert [e["phase"] for e in done["progress_history"]] == ["begin", "sync", "switch"]
    watched = vsig.post(f"/my/machines/{mid}/migrate", query={"action": "watch"})
    assert watched.body.decode().strip().splitlines()[-1].startswith('{"type": "end"')
    assert vsig.post(f"/my/machines/{mid}/migrate", query={"action": "finalize"}).status == 200
    assert vsig.get("/my/migrations").json == []


def test_websocket_endpoints_need_an_upgrade(vsim: Simulator, vsig: SigClient) -> None:
    mid = running_machine(vsim, vsig, image="centos-7")
    assert vsig.get(f"/my/machines/{mid}/vnc").json["code"] == "UpgradeRequiredError"
    # lib/changefeed.js answers a plain request with next(new Error(...)): restify 4's 500
    # with only a message, not the UpgradeRequiredError of the VNC route
    plain = vsig.get("/my/changefeed")
    assert (plain.status, plain.json) == (
        500,
        {"message": "Connection Must Upgrade For WebSockets"},
    )


def test_global_rules_are_listed_but_immutable(vsim: Simulator, vsig: SigClient) -> None:
    from smartdc.testing.resources.fwrules import add_global_rule

    tags: dict[str, Any] = {"tag.role": True}
    web = running_machine(vsim, vsig, **tags)
    rule = add_global_rule(vsim.dc(), "FROM any TO all vms ALLOW icmp TYPE 8 CODE 0")
    own = vsig.post("/my/fwrules", {"rule": "FROM any TO tag role=true ALLOW tcp PORT 22"}).json
    assert [r["id"] for r in vsig.get("/my/fwrules").json] == [rule["id"], own["id"]]
    assert vsig.get(f"/my/fwrules/{rule['id']}").json["global"] is True
    assert {r["id"] for r in vsig.get(f"/my/machines/{web}/fwrules").json} == {
        rule["id"],
        own["id"],
    }  # a boolean tag matches its JSON spelling in the rule
    changed = vsig.post(f"/my/fwrules/{rule['id']}", {"description": "mine now"})
    assert (changed.status, changed.json["code"]) == (409, "InvalidArgument")
    # FWAPI's answers pass through CloudAPI unchanged (sdc-cloudapi lib/rules.js next(err)):
    # disallowOwnerForGlobal() and a malformed id (sdc-fwapi lib/persist.js getRule()).
    refused = vsig.post(f"/my/fwrules/{rule['id']}/disable")
    assert (refused.status, refused.json) == (
        403,
        {
            "code": "Forbidden",
            "message": "owner does not match",
            "errors": [
                {
                    "field": "owner_uuid",
                    "code": "InvalidParameter",
                    "message": "owner_uuid does not match",
                }
            ],
        },
    )
    assert vsig.delete(f"/my/fwrules/{rule['id']}").status == 403
    assert vsig.get("/my/fwrules/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12).status == 404
    malformed = vsig.get("/my/fwrules/not-a-uuid")
    assert (malformed.status, malformed.json) == (
        422,
        {
            "code": "InvalidParameters",
            "message": "Invalid parameters",
            "errors": [{"field": "uuid", "code": "InvalidParameter", "message": "Invalid UUID"}],
        },
    )
    machines = vsig.get(f"/my/fwrules/{own['id']}/machines")
    assert "x-query-limit" not in machines.headers  # getRuleMachines() sets the count only


def test_fabric_network_in_use_by_arunning_machine(vsim: Simulator, vsig: SigClient) -> None:
    assert vsig.post("/my/fabrics/default/vlans", {"vlan_id": 30, "name": "apps"}).status == 201
    network = vsig.post(
        "/my/fabrics/default/vlans/30/networks",
        {
            "name": "apps",
            "subnet": "10.30.0.0/24",
            "provision_start_ip": "10.30.0.10",
            "provision_end_ip": "10.30.0.200",
        },
    ).json
    mid = running_machine(vsim, vsig, networks=[{"ipv4_uuid": network["id"]}])
    machine = vsig.get(f"/my/machines/{mid}").json
    assert machine["networks"] == [network["id"]] and machine["ips"] == ["10.30.0.10"]
    busy = vsig.delete(f"/my/fabrics/default/vlans/30/networks/{network['id']}")
    assert (busy.status, busy.json["code"]) == (409, "InvalidArgument")
    mac = vsig.get(f"/my/machines/{mid}/nics").json[0]["mac"]
    assert busy.json["message"] == f'In use by nic "{mac}"'  # NAPI names the NICs
