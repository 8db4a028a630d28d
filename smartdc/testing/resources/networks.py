"""Networks: a seeded public ``external`` and private ``internal`` network per datacenter (fabric
networks of an account live in ``dc.table("networks", login)``, see fabrics), ListNetworks,
GetNetwork, and the network IP endpoints (paged ListNetworkIPs, GetNetworkIP, UpdateNetworkIP).
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
import socket
import uuid
from typing import Any

from smartdc.testing.lazy import settle
from smartdc.testing.resources.common import (
    as_bool,
    get_and_head,
    invalid,
    login_of,
    not_found,
    ok,
    required,
)
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse
from smartdc.testing.state import DatacenterState

_NAMESPACE = uuid.UUID("3e1f7c55-0a8b-4b4e-9d3c-7f2a9b6c5d10")
# name, public, subnet, gateway
_SEED = (
    ("external", True, "165.225.136.0/22", "165.225.136.1"),
    ("internal", False, "10.88.0.0/16", "10.88.0.1"),
)


def network_id(dc_name: str, name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{dc_name}/{name}"))


def seed(dc: DatacenterState) -> None:
    networks = dc.table("networks")
    for name, public, subnet, gateway in _SEED:
        nid = network_id(dc.name, name)
        networks.setdefault(
            nid,
            {
                "id": nid,
                "name": name,
                "public": public,
                "description": f"{'Public' if public else 'Private'} network {name}",
                "_sim_subnet": subnet,
                "_sim_gateway": gateway,
            },
        )


def default_network_ids(dc: DatacenterState) -> list[str]:
    """What CreateMachine attaches without ``networks``: one external and one internal network."""
    return [network_id(dc.name, name) for name, *_ in _SEED]


def _all_networks(req: SimRequest) -> dict[str, dict[str, Any]]:
    from smartdc.testing.resources.fabrics import ensure_defaults

    ensure_defaults(req)
    found = dict(req.dc.table("networks"))
    found.update(req.dc.table("networks", login_of(req)))
    return found


def find_network(req: SimRequest, nid: str) -> dict[str, Any] | None:
    return _all_networks(req).get(nid)


def _network_dict(dc: DatacenterState, nid: str) -> dict[str, Any] | None:
    network = dc.table("networks").get(nid)
    if network is not None:
        return network
    for (name, _owner), table in dc.tables.items():  # fabric networks live per account
        if name == "networks" and nid in table:
            return table[nid]
    return None


@functools.lru_cache(maxsize=256)
def _layout(subnet_text: str, gateway: str | None) -> tuple[int, int, str, str]:
    """(first usable address as int, how many, netmask, gateway) of a subnet; parsed once."""
    subnet = ipaddress.ip_network(subnet_text)
    first = int(subnet.network_address) + 2  # .0 is the network, .1 the usual gateway
    span = max(subnet.num_addresses - 3, 1)
    return first, span, str(subnet.netmask), gateway or str(next(subnet.hosts()))


def allocate_address(dc: DatacenterState, nid: str) -> tuple[str, str, str]:
    """The next free address on a network: (ip, netmask, gateway).

    Addresses are handed out in order from a per-network counter (a table, so it is persisted), so
    machines never share an address until the subnet wraps (only bulk-populated fleets do that).
    """
    network = _network_dict(dc, nid) or {}
    subnet = str(network.get("_sim_subnet") or network.get("subnet") or "10.99.0.0/16")
    gateway = network.get("_sim_gateway") or network.get("gateway")
    first, span, netmask, gw = _layout(subnet, str(gateway) if gateway else None)
    counter = dc.table("ip_counters").setdefault(nid, {"next": 0})
    reserved = dc.table("network_ips", nid)
    for _ in range(span):
        offset = counter["next"] % span
        counter["next"] += 1
        ip = socket.inet_ntoa((first + offset).to_bytes(4, "big"))
        if not reserved.get(ip, {}).get("reserved"):
            break
    return ip, netmask, gw


def _render(network: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in network.items() if not k.startswith("_sim")}


def list_networks(req: SimRequest) -> SimResponse:
    fabric_only = "fabric" in req.query and req.query["fabric"] != ""
    found = [n for n in _all_networks(req).values() if not fabric_only or n.get("fabric")]
    return ok([_render(n) for n in found])


def get_network(req: SimRequest) -> SimResponse:
    nid = req.params["network"] if "network" in req.params else req.params["id"]
    network = find_network(req, nid)
    if network is None:
        raise not_found(f"network {nid} not found")
    return ok(_render(network))


def _ip_entries(req: SimRequest, nid: str) -> list[dict[str, Any]]:
    """Addresses in use on a network: machines' NICs plus reserved addresses."""
    network = find_network(req, nid)
    if network is None:
        raise not_found(f"network {nid} not found")
    entries: dict[str, dict[str, Any]] = {}
    now = req.sim.clock.now()
    for machine in req.dc.table("machines", login_of(req)).values():
        settle(machine, now)
        if machine.get("state") == "deleted":
            continue
        for nic in machine.get("nics", []):
            if nic.get("network") == nid:
                entries[nic["ip"]] = {
                    "ip": nic["ip"],
                    "reserved": False,
                    "managed": False,
                    "owner_uuid": req.account.uuid,
                    "belongs_to_uuid": machine["id"],
                }
    for ip, reserved in req.dc.table("network_ips", nid).items():
        entry = entries.setdefault(ip, {"ip": ip, "reserved": False, "managed": False})
        entry["reserved"] = bool(reserved.get("reserved"))
    return sorted(entries.values(), key=lambda e: ipaddress.ip_address(e["ip"]))


def list_network_ips(req: SimRequest) -> SimResponse:
    limit = int(req.query.get("limit", req.sim.settings.max_page))
    offset = int(req.query.get("offset", 0))
    if not 0 < limit <= req.sim.settings.max_page:
        raise invalid(f"limit must be between 1 and {req.sim.settings.max_page}")
    page = list(itertools.islice(_ip_entries(req, req.params["id"]), offset, offset + limit))
    return SimResponse(200, page, {"x-query-limit": str(limit), "x-resource-count": str(len(page))})


def _ip_param(req: SimRequest) -> str:
    raw = req.params["ip_address"]
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise invalid(f"{raw} is not a valid IP address") from None


def get_network_ip(req: SimRequest) -> SimResponse:
    ip = _ip_param(req)
    nid = req.params["id"]
    for entry in _ip_entries(req, nid):
        if entry["ip"] == ip:
            return ok(entry)
    network = find_network(req, nid) or {}
    subnet = network.get("_sim_subnet") or network.get("subnet")
    if subnet and ipaddress.ip_address(ip) not in ipaddress.ip_network(subnet):
        raise not_found(f"IP {ip} is not on network {nid}")
    return ok({"ip": ip, "reserved": False, "managed": False})


def update_network_ip(req: SimRequest) -> SimResponse:
    ip = _ip_param(req)
    nid = req.params["id"]
    network = find_network(req, nid)
    if network is None:
        raise not_found(f"network {nid} not found")
    if network.get("public"):
        raise ApiError(403, "NotAuthorized", "IPs on public networks cannot be reserved")
    reserved = as_bool(required(req, "reserved"), "reserved")
    req.dc.table("network_ips", nid)[ip] = {"reserved": reserved}
    return get_network_ip(req)


def register(router: Router) -> None:
    get_and_head(router, "/:account/networks", "ListNetworks", "HeadNetworks", list_networks)
    get_and_head(router, "/:account/networks/:network", "GetNetwork", "HeadNetwork", get_network)
    get_and_head(
        router, "/:account/networks/:id/ips", "ListNetworkIPs", "HeadNetworkIPs", list_network_ips
    )
    get_and_head(
        router,
        "/:account/networks/:id/ips/:ip_address",
        "GetNetworkIP",
        "HeadNetworkIP",
        get_network_ip,
    )
    router.add(
        "PUT", "/:account/networks/:id/ips/:ip_address", "UpdateNetworkIP", update_network_ip
    )
