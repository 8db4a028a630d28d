"""Network IP routes as NAPI and CloudAPI answer them: the addresses NAPI reserves when it creates a
network (gateway, resolvers inside the subnet, broadcast) are listed as managed reservations on the
account's own (fabric) networks, and never on shared ones."""

from __future__ import annotations

from smartdc.testing.simulator import Simulator

from ..sigclient import SigClient


def _fabric(sig: SigClient) -> dict[str, object]:
    return next(n for n in sig.get("/my/networks").json if n.get("fabric"))


def test_fabric_network_lists_its_reserved_addresses(vsim: Simulator, vsig: SigClient) -> None:
    network = _fabric(vsig)
    listed = vsig.get(f"/my/networks/{network['id']}/ips")
    assert listed.status == 200
    # the default fabric network: gateway 192.0.2.1, resolvers outside the subnet,
    # broadcast 192.0.2.255; managed addresses show neither owner nor user
    assert listed.json == [
        {"ip": "192.0.2.1", "reserved": True, "managed": True},
        {"ip": "192.0.2.255", "reserved": True, "managed": True},
    ]
    assert listed.headers["x-resource-count"] == "2"
    gateway = vsig.get(f"/my/networks/{network['id']}/ips/192.0.2.1")
    assert gateway.json == {"ip": "192.0.2.1", "reserved": True, "managed": True}
    refused = vsig.put(f"/my/networks/{network['id']}/ips/192.0.2.1", {"reserved": False})
    assert (refused.status, refused.json) == (
        409,
        {"code": "InvalidArgument", "message": "cannot update managed IP: 192.0.2.1"},
    )


def test_new_fabric_network_reserves_gateway_resolvers_and_broadcast(
    vsim: Simulator, vsig: SigClient
) -> None:
    created = vsig.post(
        "/my/fabrics/default/vlans/2/networks",
        {
            "name": "inner",
            "subnet": "10.40.0.0/24",
            "provision_start_ip": "10.40.0.1",
            "provision_end_ip": "10.40.0.250",
            "gateway": "10.40.0.10",
            "resolvers": ["10.40.0.2", "203.0.113.53"],
        },
    )
    assert created.status == 201, created.body
    nid = created.json["id"]
    listed = vsig.get(f"/my/networks/{nid}/ips").json
    assert [(ip["ip"], ip["managed"]) for ip in listed] == [
        ("10.40.0.2", True),
        ("10.40.0.10", True),
        ("10.40.0.255", True),
    ]
    # paging counts NAPI's records, markers included, before CloudAPI keeps the reserved ones
    first = vsig.get(f"/my/networks/{nid}/ips", query={"offset": "0", "limit": "2"}).json
    assert [ip["ip"] for ip in first] == ["10.40.0.2"]
    # a user's own reservation is not managed and has no owner shown
    mine = vsig.put(f"/my/networks/{nid}/ips/10.40.0.20", {"reserved": True})
    assert mine.json == {"ip": "10.40.0.20", "reserved": True, "managed": False}
    # machines never get the reserved addresses, even inside the provisioning range
    machine = vsig.post(
        "/my/machines",
        {
            "image": vsig.get("/my/images", query={"name": "base-64-lts"}).json[-1]["id"],
            "package": "g4-highcpu-1G",
            "networks": [nid],
        },
    )
    assert machine.status == 201, machine.body
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    nics = vsig.get(f"/my/machines/{machine.json['id']}/nics").json
    assert [nic["ip"] for nic in nics] == ["10.40.0.1"]
    second_machine = vsig.post(
        "/my/machines",
        {
            "image": vsig.get("/my/images", query={"name": "base-64-lts"}).json[-1]["id"],
            "package": "g4-highcpu-1G",
            "networks": [nid],
        },
    )
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    nics = vsig.get(f"/my/machines/{second_machine.json['id']}/nics").json
    assert [nic["ip"] for nic in nics] == ["10.40.0.3"]  # 10.40.0.2 is a resolver


def test_shared_network_hides_the_operator_reservations(vsim: Simulator, vsig: SigClient) -> None:
    internal = next(n for n in vsig.get("/my/networks").json if n["name"] == "internal")
    assert vsig.get(f"/my/networks/{internal['id']}/ips").json == []
    assert vsig.get(f"/my/networks/{internal['id']}/ips/198.51.100.1").status == 404


def test_chosen_addresses_cannot_be_managed_ones(vsim: Simulator, vsig: SigClient) -> None:
    network = _fabric(vsig)
    image = vsig.get("/my/images", query={"name": "base-64-lts"}).json[-1]["id"]
    gateway = {"ipv4_uuid": network["id"], "ipv4_ips": ["192.0.2.1"]}
    refused = vsig.post(
        "/my/machines", {"image": image, "package": "g4-highcpu-1G", "networks": [gateway]}
    )
    assert (refused.status, refused.json) == (
        409,
        {
            "code": "InvalidArgument",
            "message": "cannot use 192.0.2.1 because it is a managed IP",
        },
    )
    machine = vsig.post("/my/machines", {"image": image, "package": "g4-highcpu-1G"}).json["id"]
    vsim.advance(vsim.settings.provision_seconds + 0.01)
    nics = f"/my/machines/{machine}/nics"
    assert vsig.post(nics, {"network": gateway}).json["message"] == (
        "cannot use 192.0.2.1 because it is a managed IP"
    )
    assert vsig.post(nics, {"network": "fabric"}).json == {
        "code": "InvalidArgument",
        "message": "network argument has invalid format",
    }
    assert vsig.post(nics, {"network": 7}).json["message"] == (
        "network argument must be a network object or string"
    )
    chosen = {"ipv4_uuid": network["id"], "ipv4_ips": ["192.0.2.77"]}
    added = vsig.post(nics, {"network": chosen})
    assert (added.status, added.json["ip"]) == (201, "192.0.2.77")


def test_paging_errors_are_napi_words(vsig: SigClient) -> None:
    network = _fabric(vsig)
    path = f"/my/networks/{network['id']}/ips"
    both = vsig.get(path, query={"limit": "1001", "offset": "-1"})
    assert (both.status, both.json) == (
        409,
        {
            "code": "InvalidArgument",
            "message": 'property "limit": invalid limit, must be an integer greater than 0 or'
            ' less than or equal to 1000, property "offset": invalid value, offset must be an'
            " integer greater than or equal to 0",
        },
    )
    assert (
        vsig.get(path, query={"limit": "many"})
        .json["message"]
        .startswith('property "limit": invalid limit')
    )


def test_addresses_are_checked_as_napi_checks_them(vsig: SigClient) -> None:
    network = _fabric(vsig)
    base = f"/my/networks/{network['id']}/ips"

    def refused(path: str) -> tuple[int, str, str]:
        reply = vsig.get(path)
        return reply.status, reply.json["code"], reply.json["message"]

    assert refused(f"{base}/bogus") == (404, "ResourceNotFound", "Invalid IP address")
    assert refused(f"{base}/10.0.0.1") == (404, "ResourceNotFound", "IP is not in subnet")
    assert refused(f"{base}/fd00::1") == (
        404,
        "ResourceNotFound",
        "IP and subnet are of different address families",
    )
    # CloudAPI checks `reserved` before asking NAPI about the address
    assert vsig.put(f"{base}/bogus", {}).json["code"] == "MissingParameter"
