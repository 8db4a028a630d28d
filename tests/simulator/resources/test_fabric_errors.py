"""Fabric VLAN and network errors as NAPI raises them and CloudAPI's translateErr words them."""

from __future__ import annotations

from typing import Any

from smartdc.testing.clock import VirtualClock
from smartdc.testing.simulator import Simulator

from ..sigclient import SigClient

VLANS = "/my/fabrics/default/vlans"


def _error(reply: Any) -> tuple[int, str, str]:
    return reply.status, reply.json["code"], reply.json["message"]


def test_vlan_errors(vsig: SigClient) -> None:
    assert vsig.post(VLANS, {"vlan_id": 30, "name": "thirty"}).status == 201
    again = vsig.post(VLANS, {"vlan_id": 30, "name": "again"})
    assert _error(again) == (
        409,
        "InvalidArgument",
        'property "vlan_id": VLAN ID is already in use',
    )
    assert _error(vsig.get(f"{VLANS}/31")) == (404, "ResourceNotFound", "vlan not found")
    network = vsig.post(
        f"{VLANS}/30/networks",
        {
            "name": "n30",
            "subnet": "10.30.0.0/24",
            "provision_start_ip": "10.30.0.5",
            "provision_end_ip": "10.30.0.250",
        },
    ).json["id"]
    busy = vsig.delete(f"{VLANS}/30")
    assert _error(busy) == (409, "InvalidArgument", f'In use by network "{network}"')
    missing = "0" * 8 + "-0000-4000-8000-" + "0" * 12
    assert _error(vsig.get(f"{VLANS}/30/networks/{missing}")) == (
        404,
        "ResourceNotFound",
        "network not found",
    )


def test_network_in_use_names_the_nics(vsim: Simulator, vsig: SigClient) -> None:
    assert vsig.post(VLANS, {"vlan_id": 40, "name": "forty"}).status == 201
    network = vsig.post(
        f"{VLANS}/40/networks",
        {
            "name": "n40",
            "subnet": "10.40.0.0/24",
            "provision_start_ip": "10.40.0.5",
            "provision_end_ip": "10.40.0.250",
        },
    ).json["id"]
    image = vsig.get("/my/images", query={"name": "base-64-lts"}).json[-1]["id"]
    made = vsig.post(
        "/my/machines", {"image": image, "package": "g4-highcpu-1G", "networks": [network]}
    )
    assert isinstance(vsim.clock, VirtualClock)
    vsim.clock.advance(vsim.settings.provision_seconds + 0.01)
    mac = vsig.get(f"/my/machines/{made.json['id']}/nics").json[0]["mac"]
    busy = vsig.delete(f"{VLANS}/40/networks/{network}")
    assert _error(busy) == (409, "InvalidArgument", f'In use by nic "{mac}"')


def test_network_ranges_checked_as_napi_checks_them(vsig: SigClient) -> None:
    networks = f"{VLANS}/2/networks"

    def create(**fields: str) -> Any:
        body = {
            "name": "range",
            "subnet": "10.50.0.0/24",
            "provision_start_ip": "10.50.0.5",
            "provision_end_ip": "10.50.0.250",
            **fields,
        }
        return vsig.post(networks, body)

    outside = create(provision_start_ip="10.51.0.5", gateway="10.51.0.1")
    assert _error(outside) == (
        409,
        "InvalidArgument",
        'property "provision_start_ip": provision_start_ip cannot be outside subnet, '
        'property "gateway": gateway cannot be outside subnet',
    )
    broadcast = create(provision_end_ip="10.50.0.255")
    assert _error(broadcast)[2] == (
        'property "provision_end_ip": provision_end_ip cannot be the broadcast address'
    )
    backwards = create(provision_start_ip="10.50.0.250", provision_end_ip="10.50.0.5")
    assert _error(backwards)[2] == (
        'property "provision_end_ip": provision_start_ip must be before provision_end_ip, '
        'property "provision_start_ip": provision_start_ip must be before provision_end_ip'
    )
    public = create(subnet="8.8.0.0/24", provision_start_ip="8.8.0.5", provision_end_ip="8.8.0.250")
    assert _error(public)[2] == 'property "subnet": subnet must be within private ranges'
    first = create()
    assert first.status == 201
    overlapping = create(
        name="other",
        subnet="10.50.0.128/25",
        provision_start_ip="10.50.0.130",
        provision_end_ip="10.50.0.200",
    )
    assert _error(overlapping)[2] == 'property "subnet": subnet overlaps with another network'
    again = create(
        subnet="10.60.0.0/24", provision_start_ip="10.60.0.5", provision_end_ip="10.60.0.250"
    )
    assert _error(again) == (409, "InvalidArgument", 'property "name": Already exists')


def test_network_updates_refused_as_the_server_refuses_them(vsig: SigClient) -> None:
    network = next(n for n in vsig.get("/my/networks").json if n.get("fabric"))
    path = f"{VLANS}/{network['vlan_id']}/networks/{network['id']}"
    assert _error(vsig.put(path, {"id": "x"})) == (
        409,
        "InvalidArgument",
        'property "id": cannot be set',
    )
    five = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]
    assert _error(vsig.put(path, {"resolvers": five}))[2] == (
        'property "resolvers": maximum of 4 resolvers'
    )
    assert _error(vsig.put(path, {"gateway": "192.0.2.2"}))[2] == (
        'property "gateway": Network updates for this field are not supported on fabrics'
    )
    assert vsig.put(path, {"description": "mine"}).json["description"] == "mine"
