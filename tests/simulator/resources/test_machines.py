"""Instances in the simulator: create, state machine on a virtual clock, actions, delete, audit,
listing filters and paging, metadata, tags and snapshots, over real signed HTTP."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import attrs

from smartdc.testing.keyfiles import public_key_of
from smartdc.testing.simulator import Simulator

from ..sigclient import SigClient


def _image_and_package(sig: SigClient) -> tuple[str, str]:
    images = sig.get("/my/images", query={"name": "base-64-lts"}).json
    return images[-1]["id"], "g4-highcpu-1G"


def _create(sig: SigClient, **body: Any) -> dict[str, Any]:
    image, package = _image_and_package(sig)
    reply = sig.post("/my/machines", {"image": image, "package": package, **body})
    assert reply.status == 201, reply.body
    assert reply.headers["Location"].endswith("/machines/" + reply.json["id"])
    return dict(reply.json)


def test_create_provisions_then_runs_with_ips(vsim: Simulator, vsig: SigClient) -> None:
    machine = _create(vsig, name="web-1", **{"metadata.role": "web", "tag.env": "dev"})
    assert machine["state"] == "provisioning"
    assert machine["ips"] == [] and machine["compute_node"]  # placed before the answer
    assert machine["package"] == "g4-highcpu-1G" and machine["memory"] == 1024
    assert machine["metadata"]["role"] == "web" and machine["tags"] == {"env": "dev"}
    assert not any(k.startswith("_sim") for k in machine)
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    running = vsig.get(f"/my/machines/{machine['id']}").json
    assert running["state"] == "running"
    assert len(running["ips"]) == 2 and running["primaryIp"] in running["ips"]
    assert [nic["primary"] for nic in running["nics"]] == [True, False]


def test_default_name_is_short_id_and_duplicates_are_refused(vsig: SigClient) -> None:
    machine = _create(vsig)
    assert machine["name"] == machine["id"][:8]
    _create(vsig, name="dup")
    image, package = _image_and_package(vsig)
    again = vsig.post("/my/machines", {"image": image, "package": package, "name": "dup"})
    assert again.status == 409 and again.json["code"] == "ValidationFailed"


def _error(reply: Any) -> tuple[int, str, str]:
    return reply.status, reply.json["code"], reply.json["message"]


def test_create_errors_use_the_servers_codes_and_words(vsim: Simulator, vsig: SigClient) -> None:
    image, package = _image_and_package(vsig)
    assert _error(vsig.post("/my/machines", {"package": package})) == (
        409,
        "MissingParameter",
        "image must be specified",
    )
    assert _error(vsig.post("/my/machines", {"image": image})) == (
        409,
        "MissingParameter",
        "package must be specified",
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    assert _error(vsig.post("/my/machines", {"image": unknown, "package": package})) == (
        409,
        "InvalidArgument",
        f"{unknown} is not a valid image",
    )
    assert _error(vsig.post("/my/machines", {"image": image, "package": "nope"})) == (
        409,
        "InvalidArgument",
        "nope is not a valid package",
    )
    both = vsig.post("/my/machines", {"image": image, "dataset": image, "package": package})
    assert _error(both)[:2] == (409, "InvalidArgument")
    brand = vsig.post("/my/machines", {"image": image, "package": package, "brand": "lx"})
    assert _error(brand)[:2] == (409, "InvalidArgument")
    # VMAPI validators.alias (max 189), passed on by create() with its reason
    long_name = vsig.post("/my/machines", {"image": image, "package": package, "name": "x" * 190})
    assert _error(long_name)[:2] == (409, "ValidationFailed")


def test_create_needs_an_ssh_key_on_the_account(vsim: Simulator, vsig: SigClient) -> None:
    image, package = _image_and_package(vsig)
    # the account's only key moves to a sub-user, who signs the request
    vsim.add_user(vsim.account, "ops")
    vsim.add_key(vsim.account, public_key_of(Path(vsim.key_path)), user="ops")
    # the sub-user may provision: the account's administrator role is its default role
    member = {"type": "subuser", "login": "ops", "default": True}
    assert vsig.post("/my/roles", {"name": "administrator", "members": [member]}).status == 201
    vsim.state.key_table(vsim.account).clear()
    as_user = attrs.evolve(vsig, user="ops")
    refused = as_user.post("/my/machines", {"image": image, "package": package})
    assert _error(refused) == (
        409,
        "KeyRequired",
        "At least one SSH key is required to provision",
    )


def test_failed_provisioning(vsim: Simulator, vsig: SigClient) -> None:
    vsim.settings.fail_provision_names.add("doomed")
    machine = _create(vsig, name="doomed")
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    assert vsig.get(f"/my/machines/{machine['id']}").json["state"] == "failed"


def test_stop_start_and_wrong_state(vsim: Simulator, vsig: SigClient) -> None:
    mid = _create(vsig)["id"]
    early = vsig.post(f"/my/machines/{mid}", query={"action": "stop"})
    # sdc-vmapi lib/endpoints/vms.js updateVm(): 409 UnallocatedVM while provisioning
    assert (early.status, early.json["code"]) == (409, "UnallocatedVM")
    assert early.json["message"] == "Cannot call stop for a VM that has not been provisioned yet"
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    stop = vsig.post(f"/my/machines/{mid}", query={"action": "stop"})
    assert stop.status == 202 and stop.body == b""
    assert vsig.get(f"/my/machines/{mid}").json["state"] == "stopping"
    vsim.advance(vsim.settings.stop_seconds + 0.01)
    assert vsig.get(f"/my/machines/{mid}").json["state"] == "stopped"
    assert vsig.post(f"/my/machines/{mid}", query={"action": "start"}).status == 202
    vsim.advance(vsim.settings.start_seconds + 0.01)
    assert vsig.get(f"/my/machines/{mid}").json["state"] == "running"


def test_action_errors(vsig: SigClient) -> None:
    mid = _create(vsig)["id"]
    assert vsig.post(f"/my/machines/{mid}").json["code"] == "MissingParameter"
    bogus = vsig.post(f"/my/machines/{mid}", query={"action": "explode"})
    assert (bogus.status, bogus.json["code"]) == (409, "InvalidArgument")
    assert vsig.post("/my/machines/" + "0" * 36, query={"action": "stop"}).status == 404


def test_rename_resize_firewall_and_protection(vsim: Simulator, vsig: SigClient) -> None:
    mid = _create(vsig)["id"]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    vsig.post(f"/my/machines/{mid}", query={"action": "rename", "name": "renamed"})
    vsig.post(f"/my/machines/{mid}", query={"action": "resize", "package": "g4-highcpu-2G"})
    vsig.post(f"/my/machines/{mid}", query={"action": "enable_firewall"})
    vsig.post(f"/my/machines/{mid}", query={"action": "enable_deletion_protection"})
    machine = vsig.get(f"/my/machines/{mid}").json
    assert machine["name"] == "renamed" and machine["memory"] == 2048
    assert machine["firewall_enabled"] is True and machine["deletion_protection"] is True
    refused = vsig.delete(f"/my/machines/{mid}")
    assert (refused.status, refused.json["code"]) == (409, "CannotDestroyMachineError")


def test_delete_then_gone(vsim: Simulator, vsig: SigClient) -> None:
    mid = _create(vsig)["id"]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    assert vsig.delete(f"/my/machines/{mid}").status == 204
    vsim.advance(vsim.settings.delete_seconds + 0.01)
    gone = vsig.get(f"/my/machines/{mid}")
    assert gone.status == 410 and gone.json["state"] == "deleted"
    assert vsig.delete(f"/my/machines/{mid}").status == 410
    assert vsig.post(f"/my/machines/{mid}", query={"action": "stop"}).status == 410
    assert mid not in [m["id"] for m in vsig.get("/my/machines").json]
    tomb = vsig.get("/my/machines", query={"tombstone": "true"}).json
    assert mid in [m["id"] for m in tomb]


def test_audit_shows_completed_actions_newest_first(vsim: Simulator, vsig: SigClient) -> None:
    mid = _create(vsig)["id"]
    assert vsig.get(f"/my/machines/{mid}/audit").json == []  # provisioning not done yet
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    vsig.post(f"/my/machines/{mid}", query={"action": "reboot"})
    assert [e["action"] for e in vsig.get(f"/my/machines/{mid}/audit").json] == ["provision"]
    vsim.advance(vsim.settings.reboot_seconds + 0.01)
    entries = vsig.get(f"/my/machines/{mid}/audit").json
    assert [e["action"] for e in entries] == ["reboot", "provision"]
    assert entries[0]["success"] == "yes" and entries[0]["caller"]["type"] == "signature"


def test_list_filters_and_pages(vsim: Simulator, vsig: SigClient) -> None:
    vsim.populate_machines(25)
    tagged = _create(vsig, name="tagged", **{"tag.team": "blue"})
    page = vsig.get("/my/machines", query={"limit": 10, "offset": 20})
    assert page.headers["x-query-limit"] == "10" and page.headers["x-resource-count"] == "6"
    everything = [
        m["id"]
        for o in (0, 10, 20)
        for m in vsig.get("/my/machines", query={"limit": 10, "offset": o}).json
    ]
    assert len(everything) == len(set(everything)) == 26
    assert [m["id"] for m in vsig.get("/my/machines", query={"tag.team": "blue"}).json] == [
        tagged["id"]
    ]
    assert [m["name"] for m in vsig.get("/my/machines", query={"name": "tagged"}).json] == [
        "tagged"
    ]
    # the name filter is a prefix match, as VMAPI's alias search is
    assert len(vsig.get("/my/machines", query={"name": "bulk-00001"}).json) == 10
    # the server widens `provisioning` to VMAPI's `active`; `running` is exact
    assert len(vsig.get("/my/machines", query={"state": "provisioning"}).json) == 26
    assert len(vsig.get("/my/machines", query={"state": "running"}).json) == 25
    assert vsig.get("/my/machines", query={"state": "failed"}).json["code"] == "InvalidArgument"
    assert len(vsig.get("/my/machines", query={"type": "smartmachine"}).json) == 26
    assert vsig.get("/my/machines", query={"type": "virtualmachine"}).json == []
    assert len(vsig.get("/my/machines", query={"tag.group": "g3"}).json) == 3  # 3, 13, 23
    assert len(vsig.get("/my/machines", query={"tags": "*"}).json) == 26  # bulk machines carry tags
    too_big = vsig.get("/my/machines", query={"limit": 1001})  # VMAPI checks the limit
    assert (too_big.status, too_big.json["code"]) == (409, "ValidationFailed")
    head = vsig.head("/my/machines", query={"limit": 5})
    assert head.status == 200 and head.body == b"" and head.headers["x-resource-count"] == "5"


def test_metadata_semantics(vsim: Simulator, vsig: SigClient) -> None:
    mid = _create(vsig, **{"metadata.a": "1"})["id"]
    merged = vsig.post(
        f"/my/machines/{mid}/metadata", {"b": "2", "credentials": "x", "root_pw": "y"}
    )
    assert merged.status == 200 and "x-job-uuid" in merged.headers
    assert {k: merged.json[k] for k in ("a", "b")} == {"a": "1", "b": "2"}
    assert "credentials" not in merged.json and "root_pw" not in merged.json
    ignored = vsig.post(f"/my/machines/{mid}/metadata", {"image": "x", "owner_uuid": "y"}).json
    assert "image" not in ignored and "owner_uuid" not in ignored  # the server's own names
    assert vsig.get(f"/my/machines/{mid}/metadata/b").json == "2"
    text = vsig.get(f"/my/machines/{mid}/metadata/b", headers={"Accept": "text/plain"})
    assert text.body == b"2" and text.headers["Content-Type"].startswith("text/plain")
    assert vsig.delete(f"/my/machines/{mid}/metadata/root_authorized_keys").status == 409
    assert vsig.delete(f"/my/machines/{mid}/metadata/b").status == 204
    assert vsig.get(f"/my/machines/{mid}/metadata/b").status == 404
    assert vsig.delete(f"/my/machines/{mid}/metadata").status == 204
    assert set(vsig.get(f"/my/machines/{mid}/metadata").json) == {"root_authorized_keys"}


def test_tag_semantics(vsig: SigClient) -> None:
    mid = _create(vsig, **{"tag.a": "1"})["id"]
    assert vsig.post(f"/my/machines/{mid}/tags", {"b": 2, "c": True}).json == {
        "a": "1",
        "b": 2,
        "c": True,
    }
    assert vsig.put(f"/my/machines/{mid}/tags", {"z": "only"}).json == {"z": "only"}
    assert vsig.get(f"/my/machines/{mid}/tags/z").json == "only"
    assert vsig.post(f"/my/machines/{mid}/tags", {"bad": {"nested": 1}}).status == 409
    assert "image" not in vsig.post(f"/my/machines/{mid}/tags", {"image": "x"}).json
    text = vsig.get(f"/my/machines/{mid}/tags/z", headers={"Accept": "text/plain"})
    assert text.body == b"only" and text.headers["Content-Type"].startswith("text/plain")
    assert vsig.get(f"/my/machines/{mid}/tags/nope").status == 404
    assert vsig.delete(f"/my/machines/{mid}/tags/z").status == 204
    assert vsig.get(f"/my/machines/{mid}/tags").json == {}


def test_snapshots(vsim: Simulator, vsig: SigClient) -> None:
    mid = _create(vsig)["id"]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    made = vsig.post(f"/my/machines/{mid}/snapshots", {"name": "snap1"})
    assert (made.status, made.json) == (201, {"name": "snap1", "state": "queued"})
    assert "Location" not in made.headers  # the server sets none
    vsim.advance(vsim.settings.snapshot_seconds + 0.01)
    assert vsig.get(f"/my/machines/{mid}/snapshots/snap1").json["state"] == "created"
    assert [s["name"] for s in vsig.get(f"/my/machines/{mid}/snapshots").json] == ["snap1"]
    assert vsig.post(f"/my/machines/{mid}/snapshots/snap1").status == 202  # see test_snapshots
    assert vsig.delete(f"/my/machines/{mid}/snapshots/snap1").status == 204
    assert vsig.get(f"/my/machines/{mid}/snapshots/snap1").json["state"] == "created"
    vsim.advance(vsim.settings.snapshot_seconds + 0.01)
    # the deletion job remains: the snapshot answers as deleted, and is no longer listed
    gone = vsig.get(f"/my/machines/{mid}/snapshots/snap1")
    assert (gone.status, gone.json) == (200, {"name": "snap1", "state": "deleted"})
    assert vsig.get(f"/my/machines/{mid}/snapshots").json == []
    assert vsig.delete(f"/my/machines/{mid}/snapshots/snap1").status == 404
    assert vsig.get(f"/my/machines/{mid}/snapshots/nope").status == 404
    again = vsig.post(f"/my/machines/{mid}/snapshots", {"name": "snap1"})
    assert again.status == 201  # a deleted name can be used again


def test_networks_and_ips(vsim: Simulator, vsig: SigClient) -> None:
    networks = vsig.get("/my/networks").json
    assert {n["name"] for n in networks} >= {"external", "internal"}
    internal = next(n for n in networks if n["name"] == "internal")
    mid = _create(vsig)["id"]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    ips = vsig.get(f"/my/networks/{internal['id']}/ips")
    assert [ip["belongs_to_uuid"] for ip in ips.json] == [mid]
    assert ips.headers["x-query-limit"] == "1000" and ips.headers["x-resource-count"] == "1"
    own = ips.json[0]["ip"]
    assert vsig.get(f"/my/networks/{internal['id']}/ips/{own}").json["belongs_to_uuid"] == mid
    # shared networks show only the caller's addresses, and take no reservations
    assert vsig.get(f"/my/networks/{internal['id']}/ips/198.51.100.200").status == 404
    shared = vsig.put(f"/my/networks/{internal['id']}/ips/198.51.100.200", {"reserved": True})
    assert (shared.status, shared.json["code"]) == (409, "InvalidArgument")
    fabric = next(n for n in networks if n.get("fabric"))
    free = vsig.get(f"/my/networks/{fabric['id']}/ips/192.0.2.9").json
    assert free == {"ip": "192.0.2.9", "reserved": False, "managed": False}
    managed = ["192.0.2.1", "192.0.2.255"]  # gateway and broadcast, reserved by NAPI
    assert [ip["ip"] for ip in vsig.get(f"/my/networks/{fabric['id']}/ips").json] == managed
    path = f"/my/networks/{fabric['id']}/ips/192.0.2.9"
    assert vsig.put(path, {}).json["code"] == "MissingParameter"
    assert vsig.put(path, {"reserved": "maybe"}).json["code"] == "InvalidArgument"
    reserved = vsig.put(path, {"reserved": True})
    assert reserved.status == 200 and reserved.json["reserved"] is True
    assert [ip["ip"] for ip in vsig.get(f"/my/networks/{fabric['id']}/ips").json] == [
        "192.0.2.1",
        "192.0.2.9",
        "192.0.2.255",
    ]
    assert vsig.get(f"/my/networks/{fabric['id']}/ips/10.0.0.1").status == 404  # off the subnet
    paged = vsig.get(f"/my/networks/{internal['id']}/ips", query={"limit": 1001})
    assert (paged.status, paged.json["code"]) == (409, "InvalidArgument")


def test_failed_and_destroyed_machines_are_listed_only_when_asked(
    vsim: Simulator, vsig: SigClient
) -> None:
    vsim.settings.fail_provision_names.add("doomed")
    doomed = _create(vsig, name="doomed")["id"]
    kept = _create(vsig, name="kept", **{"tag.flag": True})["id"]
    gone = _create(vsig, name="gone")["id"]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    assert vsig.delete(f"/my/machines/{gone}").status == 204
    vsim.advance(vsim.settings.delete_seconds + 0.01)

    def ids(**query: str) -> set[str]:
        return {m["id"] for m in vsig.get("/my/machines", query=query).json}

    assert ids() == {kept}  # VMAPI's `active`: neither failed nor destroyed
    assert ids(tombstone="true") == {doomed, kept, gone}
    assert ids(state="destroyed") == {gone}
    assert ids(**{"tag.flag": "true"}) == {kept}  # boolean tags match their JSON spelling


def test_destroyed_machine_answers_410_with_itself(vsim: Simulator, vsig: SigClient) -> None:
    mid = _create(vsig)["id"]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    assert vsig.delete(f"/my/machines/{mid}").status == 204
    assert vsig.delete(f"/my/machines/{mid}").status == 204  # destroy job already running
    vsim.advance(vsim.settings.delete_seconds + 0.01)
    for reply in (
        vsig.get(f"/my/machines/{mid}"),
        vsig.delete(f"/my/machines/{mid}"),
        vsig.post(f"/my/machines/{mid}", query={"action": "start"}),
    ):
        assert (reply.status, reply.json["id"], reply.json["state"]) == (410, mid, "deleted")
    bogus = vsig.post(f"/my/machines/{mid}", query={"action": "explode"})
    assert (bogus.status, bogus.json["code"]) == (409, "InvalidArgument")


def test_addresses_are_unique_per_network(vsim: Simulator, vsig: SigClient) -> None:
    made = [_create(vsig)["id"] for _ in range(12)]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    ips = [ip for mid in made for ip in vsig.get(f"/my/machines/{mid}").json["ips"]]
    assert len(ips) == len(set(ips)) == 24


def test_credentials_are_shown_only_when_asked(vsim: Simulator, vsig: SigClient) -> None:
    machine = _create(
        vsig, **{"metadata.credentials": '{"root": "s3cret"}', "metadata.admin_pw": "x"}
    )
    assert "credentials" not in machine["metadata"] and "admin_pw" not in machine["metadata"]
    mid = machine["id"]
    plain = vsig.get(f"/my/machines/{mid}").json["metadata"]
    assert "credentials" not in plain
    shown = vsig.get(f"/my/machines/{mid}", query={"credentials": "true"}).json["metadata"]
    assert shown["credentials"] == {"root": "s3cret"}
    listed = vsig.get(f"/my/machines/{mid}/metadata", query={"credentials": "true"}).json
    assert listed["credentials"] == {"root": "s3cret"}
    assert vsig.get(f"/my/machines/{mid}/metadata/credentials").json == {"root": "s3cret"}


def test_firewall_and_rename_audit_names(vsim: Simulator, vsig: SigClient) -> None:
    mid = _create(vsig)["id"]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    vsig.post(f"/my/machines/{mid}", query={"action": "enable_firewall"})
    vsig.post(f"/my/machines/{mid}", query={"action": "rename", "name": "n2"})
    vsig.post(f"/my/machines/{mid}", query={"action": "enable_deletion_protection"})
    vsim.advance(0.01)
    actions = [e["action"] for e in vsig.get(f"/my/machines/{mid}/audit").json]
    assert actions == ["enable_deletion_protection", "rename", "unknown", "provision"]
    missing_name = vsig.post(f"/my/machines/{mid}", query={"action": "rename"})
    assert (missing_name.status, missing_name.json["code"]) == (409, "MissingParameter")
    bad_pkg = vsig.post(f"/my/machines/{mid}", query={"action": "resize", "package": "nope"})
    assert (bad_pkg.status, bad_pkg.json["code"]) == (409, "InvalidArgument")


def test_short_id_template_and_networks_by_id(vsim: Simulator, vsig: SigClient) -> None:
    internal = next(n for n in vsig.get("/my/networks").json if n["name"] == "internal")
    machine = _create(vsig, name="web-{{shortId}}", networks=[internal["id"]])
    assert machine["name"] == "web-" + machine["id"][:8]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    running = vsig.get(f"/my/machines/{machine['id']}").json
    assert running["networks"] == [internal["id"]] and len(running["nics"]) == 1
    assert running["primaryIp"] == running["ips"][0]  # only a private address: it is primary
    unknown = vsig.post(
        "/my/machines",
        {
            "image": machine["image"],
            "package": "g4-highcpu-1G",
            "networks": ["00000000-0000-4000-8000-000000000000"],
        },
    )
    assert (unknown.status, unknown.json["code"]) == (409, "InvalidArgument")


def test_vnc_needs_a_running_hvm_and_an_upgrade(vsim: Simulator, vsig: SigClient) -> None:
    zone = _create(vsig)["id"]
    image = vsig.get("/my/images", query={"name": "ubuntu-certified-22.04"}).json[-1]["id"]
    hvm = vsig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"}).json["id"]
    stopped = vsig.get(f"/my/machines/{hvm}/vnc")
    assert (stopped.status, stopped.json["code"]) == (400, "MachineStoppedError")
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    assert vsig.get(f"/my/machines/{zone}/vnc").json["code"] == "MachineHasNoVNCError"
    upgrade = vsig.get(f"/my/machines/{hvm}/vnc")
    assert (upgrade.status, upgrade.json["code"]) == (400, "UpgradeRequiredError")


def test_populate_makes_realistic_running_machines(vsim: Simulator, vsig: SigClient) -> None:
    vsim.populate_machines(2500)
    first = vsig.get("/my/machines", query={"limit": 1000})
    assert first.headers["x-resource-count"] == "1000"
    machines = first.json
    for offset in (1000, 2000):
        machines += vsig.get("/my/machines", query={"limit": 1000, "offset": offset}).json
    assert len({m["id"] for m in machines}) == 2500
    sample = machines[1234]
    assert sample["state"] == "running" and sample["tags"]["env"] == "bench"
    assert [n["ip"] for n in sample["nics"]] == sample["ips"] and sample["primaryIp"]
    assert vsig.get(f"/my/machines/{sample['id']}").json == sample
    public = [m["primaryIp"] for m in machines[:250]]
    assert len(set(public)) == 250  # distinct addresses until the public range (a /24) wraps
    documentation = [
        ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
    ]
    assert all(
        any(ipaddress.ip_address(ip) in net for net in documentation)
        for m in machines
        for ip in [*m["ips"], *(n["gateway"] for n in m["nics"])]
    )


def test_provision_from_own_image_only(vsim: Simulator, vsig: SigClient) -> None:
    source = _create(vsig)["id"]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    made = vsig.post("/my/images", {"machine": source, "name": "custom", "version": "1.0.0"})
    assert made.status == 201, made.body
    image = made.json["id"]
    early = vsig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"})
    assert (early.status, early.json["message"]) == (409, f"image {image} is not active")
    vsim.advance(vsim.settings.image_create_seconds + 0.01)
    assert vsig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"}).status == 201
    # another account cannot provision from it: to them it is not an image at all
    vsim.dc().table("images")[image]["owner"] = "00000000-0000-4000-8000-000000000001"
    other = vsig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"})
    assert (other.status, other.json["message"]) == (409, f"{image} is not a valid image")


def test_resize_rules(vsim: Simulator, vsig: SigClient) -> None:
    image = vsig.get("/my/images", query={"name": "ubuntu-certified-22.04"}).json[-1]["id"]
    bhyve = vsig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"}).json["id"]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    refused = vsig.post(
        f"/my/machines/{bhyve}", query={"action": "resize", "package": "g4-highcpu-2G"}
    )
    assert refused.json["message"] == (
        "Resizing to a package without flexible disk space is not supported"
    )
    missing_pkg = vsig.post(f"/my/machines/{bhyve}", query={"action": "resize"})
    assert (missing_pkg.status, missing_pkg.json["code"]) == (409, "MissingParameter")


def test_network_objects_and_default_networks(vsim: Simulator, vsig: SigClient) -> None:
    networks = {n["name"]: n for n in vsig.get("/my/networks").json}
    fabric = next(n for n in networks.values() if n.get("fabric"))
    external = networks["external"]["id"]
    image, package = _image_and_package(vsig)

    def create(**body: Any) -> Any:
        return vsig.post("/my/machines", {"image": image, "package": package, **body})

    chosen = create(networks=[{"ipv4_uuid": fabric["id"], "ipv4_ips": ["192.0.2.77"]}])
    only_external = create(default_networks=["external"])
    twice = create(networks=[external, external])
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    assert vsig.get(f"/my/machines/{chosen.json['id']}").json["ips"] == ["192.0.2.77"]
    assert vsig.get(f"/my/machines/{only_external.json['id']}").json["networks"] == [external]
    assert vsig.get(f"/my/machines/{twice.json['id']}").json["networks"] == [external]

    def refused(networks: Any) -> tuple[int, str, str]:
        reply = create(networks=networks)
        return reply.status, reply.json["code"], reply.json["message"]

    assert refused([{"ipv4_ips": ["10.0.0.1"]}])[:2] == (409, "MissingParameter")
    assert refused([{"ipv4_uuid": "nope"}])[2] == "ipv4_uuid: nope is not a uuid"
    assert refused([{"ipv4_uuid": external, "ipv4_ips": ["203.0.113.9"]}])[2] == (
        f"ipv4_uuid: {external} cannot specify IP on a public network"
    )
    assert refused([{"ipv4_uuid": external, "ipv4_count": 2}])[2] == (
        "ipv4_count can only be set to 1"
    )
    assert refused([7])[2] == 'property "networks[0]": array of strings or objects expected'
    assert refused(["00000000-0000-4000-8000-000000000000"])[2] == "Invalid Networks"
