"""Datacenters, services, config, packages and images of the simulator."""

from __future__ import annotations

from typing import Any

from smartdc.testing.lazy import schedule
from smartdc.testing.simulator import Simulator
from smartdc.testing.state import Settings

from .sigclient import SigClient, load_private_key


def test_datacenters_and_redirect(sim: Simulator, sig: SigClient) -> None:
    listing = sig.get("/my/datacenters")
    assert listing.json == sim.urls
    assert listing.headers["Triton-Datacenter-Name"] == "us-sim-1"
    moved = sig.get("/my/datacenters/eu-sim-1")
    assert moved.status == 302
    assert moved.headers["Location"] == sim.urls["eu-sim-1"]
    assert moved.json["code"] == "ResourceMoved"
    # sdc-cloudapi lib/datacenters.js get(): util.format('', name, url) and MSG_404.
    assert moved.json["message"] == f" eu-sim-1 {sim.urls['eu-sim-1']}"
    nowhere = sig.get("/my/datacenters/nowhere")
    assert (nowhere.status, nowhere.json["message"]) == (
        404,
        "nowhere is not an available datacenter",
    )


def test_foreign_datacenters_need_delegated_token_auth(sig: SigClient) -> None:
    for reply in (sig.get("/my/foreigndatacenters"), sig.post("/my/foreigndatacenters", {})):
        assert (reply.status, reply.json["code"]) == (403, "Forbidden")
    # the simulator has no keyapi: any token is one it did not issue
    token = sig.get("/my/foreigndatacenters", headers={"X-Auth-Token": "{}"})
    assert (token.status, token.json["code"]) == (401, "InvalidCredentials")


def test_services_name_this_datacenter(sim: Simulator, sig: SigClient) -> None:
    services = sig.get("/my/services").json
    assert services["cloudapi"] == sim.url
    assert set(services) == {"cloudapi", "docker", "manta"}


def test_config_update_needs_a_known_network(sim: Simulator, sig: SigClient) -> None:
    network: dict[str, Any] = {
        "id": "a0b0c0d0-0000-4000-8000-000000000001",
        "name": "sim-public",
        "public": True,
    }
    with sim.state.lock:
        sim.dc().table("networks")[network["id"]] = network
    assert sig.put("/my/config", {"default_network": network["id"]}).json == {
        "default_network": network["id"]
    }
    assert sig.get("/my/config").json["default_network"] == network["id"]
    bad = sig.put("/my/config", {"default_network": "a0b0c0d0-0000-4000-8000-00000000ffff"})
    # sdc-cloudapi lib/endpoints/config.js: the joyent-schemas UpdateConfig schema, checked by
    # jsprim (409 InvalidArgument in its words, never MissingParameter), then the network.
    assert (bad.status, bad.json) == (
        409,
        {"code": "InvalidArgument", "message": "unknown network"},
    )
    for body, message in (
        ({}, 'property "default_network": is missing and it is required'),
        ({"default_network": "nope"}, 'property "default_network": must be a UUID'),
        ({"default_network": network["id"], "x": 1}, 'property "x": unsupported property'),
    ):
        assert sig.put("/my/config", body).json == {"code": "InvalidArgument", "message": message}


def test_packages_filters_and_lookup(sig: SigClient) -> None:
    packages = sig.get("/my/packages").json
    assert [p for p in packages if p["default"]] == [
        p for p in packages if p["name"] == "g4-highcpu-1G"
    ]
    highcpu = sig.get("/my/packages", query={"name": "g4-highcpu-*"}).json
    assert highcpu and all(p["name"].startswith("g4-highcpu-") for p in highcpu)
    assert [
        p["name"]
        for p in sig.get("/my/packages", query={"memory": "2048", "group": "Compute*"}).json
    ] == ["g4-highcpu-2G"]
    flexible = sig.get("/my/packages", query={"flexible_disk": "true"}).json
    assert [p["brand"] for p in flexible] == ["bhyve"]
    by_name = sig.get("/my/packages/g4-highcpu-1G").json
    assert by_name["version"] == "1.0.0"  # the highest active version
    assert sig.get(f"/my/packages/{by_name['id']}").json == by_name
    assert sig.get("/my/packages/nope").status == 404


def test_images_listing_filters(sig: SigClient) -> None:
    images = sig.get("/my/images").json
    names = {i["name"] for i in images}
    assert {"base-64-lts", "ubuntu-20.04"} <= names
    assert "busybox" not in names  # docker images only when a type is given
    assert all(i["state"] == "active" and i["public"] for i in images)
    lts = sig.get("/my/images", query={"name": "base-64-lts"}).json
    assert sorted(i["version"] for i in lts) == ["22.4.0", "23.4.0"]
    assert {i["type"] for i in sig.get("/my/images", query={"os": "linux"}).json} >= {"zvol"}
    assert [i["name"] for i in sig.get("/my/images", query={"type": "docker"}).json] == ["busybox"]
    assert sig.get("/my/images", query={"public": "false"}).json == []
    sig.accept_version = "~7"
    old = sig.get("/my/images", query={"name": "ubuntu-certified-22.04"}).json[0]
    assert old["type"] == "virtualmachine"


def _stopped_machine(sim: Simulator) -> dict[str, Any]:
    image = next(i for i in sim.dc().table("images").values() if i["name"] == "base-64-lts")
    machine: dict[str, Any] = {
        "id": "c0ffee00-0000-4000-8000-000000000001",
        "name": "m1",
        "state": "stopped",
        "image": image["id"],
    }
    with sim.state.lock:
        sim.dc().table("machines", sim.account)[machine["id"]] = machine
    return machine


def test_image_from_machine_update_export_delete(sim: Simulator, sig: SigClient) -> None:
    machine = _stopped_machine(sim)
    created = sig.post("/my/images", {"machine": machine["id"], "name": "mine", "version": "1.0"})
    assert created.status == 201
    image = created.json
    assert image["state"] == "creating" and image["public"] is False
    assert created.headers["x-joyent-jobid"]
    assert created.headers["Location"] == f"/{sim.account}/images/{image['id']}"
    with sim.state.lock:
        schedule(sim.dc().table("images")[image["id"]], 0, state="active")  # due now
    assert sig.get(f"/my/images/{image['id']}").json["state"] == "active"
    updated = sig.post(
        f"/my/images/{image['id']}", {"description": "d"}, query={"action": "update"}
    ).json
    assert updated["description"] == "d"
    exported = sig.post(
        f"/my/images/{image['id']}", query={"action": "export", "manta_path": "/sim/stor/mine"}
    ).json
    assert exported["image_path"] == "/sim/stor/mine.zfs.gz"
    no_action = sig.post(f"/my/images/{image['id']}", {})
    assert (no_action.status, no_action.json["code"]) == (409, "MissingParameter")
    public_id = sig.get("/my/images", query={"name": "centos-7"}).json[0]["id"]
    refused = sig.delete(f"/my/images/{public_id}")  # owner only
    # sdc-imgapi lib/images.js reqEnsureAccountIsImageOwner(): 422 NotImageOwner, passed through
    assert (refused.status, refused.json["code"]) == (422, "NotImageOwner")
    assert sig.delete(f"/my/images/{image['id']}").status == 204
    assert sig.get(f"/my/images/{image['id']}").status == 404


def test_image_creation_follows_the_virtual_clock() -> None:
    from smartdc.testing.clock import VirtualClock

    clock = VirtualClock()
    with Simulator(clock=clock, datacenters=("dc1", "dc2")) as sim:
        sig = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
        machine = _stopped_machine(sim)
        image = sig.post("/my/images", {"machine": machine["id"], "name": "n", "version": "1"}).json
        assert sig.get(f"/my/images/{image['id']}").json["state"] == "creating"
        clock.advance(sim.settings.image_create_seconds)
        assert sig.get(f"/my/images/{image['id']}").json["state"] == "active"
        # import it into the second datacenter
        other = SigClient(sim.urls["dc2"], sim.account, load_private_key(sim.key_path))
        imported = other.post(
            "/my/images",
            {},
            query={"action": "import-from-datacenter", "datacenter": "dc1", "id": image["id"]},
        )
        assert imported.status == 200
        assert other.get(f"/my/images/{image['id']}").json["name"] == "n"
        again = other.post(
            "/my/images",
            {},
            query={"action": "import-from-datacenter", "datacenter": "dc1", "id": image["id"]},
        )
        assert again.status == 409


def test_clone_needs_a_shared_image(sim: Simulator, sig: SigClient) -> None:
    other = sim.add_account("friend")
    owned: dict[str, Any] = {
        "id": "d0d0d0d0-0000-4000-8000-000000000001",
        "name": "shared",
        "version": "1",
        "os": "smartos",
        "type": "zone-dataset",
        "requirements": {},
        "owner": other.uuid,
        "public": False,
        "state": "active",
        "acl": [sig.get("/my").json["id"]],
    }
    with sim.state.lock:
        sim.dc().table("images")[owned["id"]] = owned
    clone = sig.post(f"/my/images/{owned['id']}", query={"action": "clone"})
    assert clone.status == 200
    assert clone.json["owner"] == sig.get("/my").json["id"]
    assert clone.json["id"] != owned["id"]
    public_id = sig.get("/my/images", query={"name": "centos-7"}).json[0]["id"]
    # sdc-imgapi lib/errors.js ImageNotSharedError: 422, passed through
    assert sig.post(f"/my/images/{public_id}", query={"action": "clone"}).status == 422


def test_fabric_routes_answer_501_when_fabrics_are_off(sig: SigClient) -> None:
    # sdc-cloudapi lib/endpoints/networks.js ensureFabricsEnabled() runs before every fabric route.
    sim = Simulator(settings=Settings(fabrics_enabled=False))
    with sim:
        off = SigClient(sim.url, sim.account, load_private_key(sim.key_path))
        for reply in (
            off.get("/my/fabrics/default/vlans"),
            off.post("/my/fabrics/default/vlans", {"vlan_id": 100, "name": "x"}),
            off.get("/my/fabrics/default/vlans/2/networks"),
        ):
            assert (reply.status, reply.json) == (
                501,
                {
                    "code": "NotImplementedError",
                    "message": "fabrics not enabled for this datacenter",
                },
            )
        assert off.get("/my/networks").status == 200
