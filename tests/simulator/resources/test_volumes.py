"""Volume errors in the server's words: CloudAPI's input checks collect every problem and join
them as JavaScript prints errors (``Error: ...``); VOLAPI's errors come wrapped as
``Error when <doing>: <VOLAPI's message>``."""

from __future__ import annotations

from typing import Any

from smartdc.testing.clock import VirtualClock
from smartdc.testing.simulator import Simulator

from ..sigclient import SigClient

NAME_RULE = r"/^[a-z0-9][\w.-]+$/i"
ID_RULE = "/^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/"


def _error(reply: Any) -> tuple[int, str, str]:
    return reply.status, reply.json["code"], reply.json["message"]


def test_create_checks_every_input_at_once(vsig: SigClient) -> None:
    reply = vsig.post(
        "/my/volumes",
        {"name": "!x", "type": "foo", "size": "big", "networks": "n", "tags": {"a": 1}},
    )
    assert _error(reply) == (
        409,
        "InvalidArgument",
        f"Error: Invalid volume name: !x. Volume name should match {NAME_RULE}, "
        "Error: Invalid volume type: foo. Volume type should be one of: tritonnfs, "
        "Error: Invalid volume size: big, "
        "Error: Invalid networks: networks must be an array, "
        "Error: Invalid tags: tags must be an object of key/value strings",
    )
    untyped = vsig.post("/my/volumes", {"name": "ok-name"})
    assert _error(untyped)[2] == (
        "Error: Invalid volume type: undefined. Volume type should be one of: tritonnfs"
    )


def test_volapi_errors_are_wrapped(vsim: Simulator, vsig: SigClient) -> None:
    made = vsig.post("/my/volumes", {"name": "data", "type": "tritonnfs"})
    assert made.status == 201
    again = vsig.post("/my/volumes", {"name": "data", "type": "tritonnfs"})
    assert _error(again) == (
        409,
        "VolumeAlreadyExists",
        "Error when creating volume: Volume with name data already exists",
    )
    sizes = [s["size"] for s in vsig.get("/my/volumesizes").json]
    odd = vsig.post("/my/volumes", {"name": "odd", "type": "tritonnfs", "size": 1})
    assert _error(odd) == (
        409,
        "VolumeSizeNotAvailable",
        "Error when creating volume: Volume size 1 is not available. Available sizes are: "
        + ", ".join(str(s) for s in sizes),
    )
    missing = "0" * 8 + "-0000-4000-8000-" + "0" * 12
    assert _error(vsig.get(f"/my/volumes/{missing}")) == (
        404,
        "VolumeNotFound",
        f"Error when getting volume: Volume with uuid {missing} could not be found",
    )
    assert _error(vsig.get("/my/volumes/abc")) == (
        409,
        "InvalidArgument",
        f"Error: Invalid volume ID: abc. Volume ID should match {ID_RULE}",
    )
    assert _error(vsig.delete(f"/my/volumes/{missing}"))[2].startswith(
        "Error when deleting volume: Volume with uuid"
    )
    volume = made.json["id"]
    extra = vsig.post(f"/my/volumes/{volume}", {"name": "renamed"}, query={"size": "2"})
    assert _error(extra) == (
        409,
        "InvalidArgument",
        "InvalidArgumentError: size is an invalid parameter",
    )
    assert isinstance(vsim.clock, VirtualClock)


def test_list_filters_are_checked_together(vsig: SigClient) -> None:
    reply = vsig.get("/my/volumes", query={"color": "red", "state": "gone", "size": "0"})
    assert _error(reply) == (
        409,
        "InvalidArgument",
        "Error: invalid parameter: color, "
        "Error: invalid value for size search parameter, must match /^[1-9][0-9]*$/, "
        "Error: Volume state: gone is invalid",
    )


def test_volume_networks_must_be_the_account_fabric_networks(vsig: SigClient) -> None:
    networks = vsig.get("/my/networks").json
    shared = next(n["id"] for n in networks if n["name"] == "external")
    fabric = next(n["id"] for n in networks if n.get("fabric"))
    refused = vsig.post(
        "/my/volumes", {"name": "v1", "type": "tritonnfs", "networks": [fabric, shared]}
    )
    assert _error(refused) == (409, "InvalidArgument", f"Invalid networks: {fabric},{shared}")
    made = vsig.post("/my/volumes", {"name": "v1", "type": "tritonnfs", "networks": [fabric]})
    assert (made.status, made.json["networks"]) == (201, [fabric])
