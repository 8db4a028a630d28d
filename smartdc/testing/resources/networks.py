"""Networks: a seeded public ``external`` and private ``internal`` network per datacenter (fabric
networks of an account live in ``dc.table("networks", login)``, see fabrics), ListNetworks,
GetNetwork, and the network IP endpoints (paged ListNetworkIPs, GetNetworkIP, UpdateNetworkIP).
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
import re
import socket
import uuid
from typing import Any

from smartdc.testing.lazy import settle
from smartdc.testing.resources.common import (
    get_and_head,
    invalid,
    login_of,
    not_found,
    ok,
)
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse
from smartdc.testing.state import DatacenterState

_NAMESPACE = uuid.UUID("3e1f7c55-0a8b-4b4e-9d3c-7f2a9b6c5d10")
# name, public, subnet, gateway. Addresses from the documentation ranges (RFC 5737), which reach
# nothing: a user's test, or `smartdc ssh` against the simulator, can never reach a real host.
_SEED = (
    ("external", True, "203.0.113.0/24", "203.0.113.1"),
    ("internal", False, "198.51.100.0/24", "198.51.100.1"),
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
def _layout(
    subnet_text: str, gateway: str | None, start: str | None, end: str | None
) -> tuple[int, int, str, str]:
    """(first address as int, how many, netmask, gateway) handed out on a network; parsed once."""
    subnet = ipaddress.ip_network(subnet_text)
    first = int(ipaddress.ip_address(start)) if start else int(subnet.network_address) + 2
    last = int(ipaddress.ip_address(end)) if end else int(subnet.broadcast_address) - 1
    span = max(last - first + 1, 1)
    return first, span, str(subnet.netmask), gateway or str(next(subnet.hosts()))


@functools.lru_cache(maxsize=256)
def _operator_reserved(
    subnet: str, gateway: str | None, resolvers: tuple[str, ...]
) -> frozenset[str]:
    """The addresses NAPI reserved for the operator when it created a network (never handed out)."""
    fields = {"subnet": subnet, "gateway": gateway, "resolvers": list(resolvers)}
    return frozenset(ip for ip, record in created_records(fields).items() if record["reserved"])


def allocate_address(dc: DatacenterState, nid: str) -> tuple[str, str, str]:
    """The next free address on a network: (ip, netmask, gateway).

    Addresses are handed out in order from the network's provisioning range with a per-network
    counter (a table, so it is persisted): machines never share an address until the range wraps
    (only bulk-populated fleets do that). Reserved addresses are skipped.
    """
    network = _network_dict(dc, nid) or {}
    subnet = str(network.get("_sim_subnet") or network.get("subnet") or "192.0.2.0/24")
    gateway = network.get("_sim_gateway") or network.get("gateway")
    first, span, netmask, gw = _layout(
        subnet,
        str(gateway) if gateway else None,
        network.get("provision_start_ip"),
        network.get("provision_end_ip"),
    )
    counter = dc.table("ip_counters").setdefault(nid, {"next": 0})
    reserved = dc.table("network_ips", nid)
    operator = _operator_reserved(
        subnet, str(gateway) if gateway else None, tuple(network.get("resolvers") or ())
    )
    for _ in range(span):
        offset = counter["next"] % span
        counter["next"] += 1
        ip = socket.inet_ntoa((first + offset).to_bytes(4, "big"))
        if ip not in operator and not reserved.get(ip, {}).get("reserved"):
            break
    return ip, netmask, gw


# what CloudAPI copies from a fabric network (sdc-cloudapi lib/endpoints/networks.js
# FABRIC_NETWORK_FIELDS, less uuid)
_FABRIC_FIELDS = (
    "description",
    "fabric",
    "gateway",
    "internet_nat",
    "name",
    "provision_end_ip",
    "provision_start_ip",
    "resolvers",
    "routes",
    "subnet",
    "vlan_id",
)


_EXTERNAL = re.compile(r"^external(_rack_[A-Z0-9_-]+)?$", re.IGNORECASE)


def _external(network: dict[str, Any]) -> bool:
    """triton-netconfig isNetExternal(): named ``external``, or on the external nic tag (or a
    rack's ``external_rack_*``), or a pool with such a tag among its ``nic_tags_present``."""
    tags = [network.get("nic_tag"), *(network.get("nic_tags_present") or [])]
    return network.get("name") == "external" or any(
        isinstance(tag, str) and _EXTERNAL.match(tag) for tag in tags
    )


def _render(network: dict[str, Any]) -> dict[str, Any]:
    """The network as sdc-cloudapi lib/endpoints/networks.js translateNetwork() shows the NAPI
    network: id, name and public always, a description when set, the fabric fields for fabric
    networks only."""
    shown: dict[str, Any] = {"id": network["id"]}
    if "name" in network:
        shown["name"] = network["name"]
    if "public" in network:
        shown["public"] = network["public"]
    else:
        shown["public"] = not network.get("fabric") and _external(network)
    if network.get("description"):
        shown["description"] = network["description"]
    if network.get("fabric"):
        shown.update({k: network[k] for k in _FABRIC_FIELDS if k in network})
    return shown


def list_networks(req: SimRequest) -> SimResponse:
    fabric_only = "fabric" in req.query and req.query["fabric"] != ""
    found = [n for n in _all_networks(req).values() if not fabric_only or n.get("fabric")]
    return ok([_render(n) for n in found])


def get_network(req: SimRequest) -> SimResponse:
    nid = req.params["network"] if "network" in req.params else req.params["id"]
    network = find_network(req, nid)
    if network is None:
        raise not_found(f"{nid} not found")
    return ok(_render(network))


def _owned(network: dict[str, Any]) -> bool:
    """Networks with owners (fabric networks): the others are shared, "public" to the IP routes."""
    return bool(network.get("fabric"))


def _network_for_ips(req: SimRequest) -> dict[str, Any]:
    nid = req.params["id"]
    network = find_network(req, nid)
    if network is None:
        raise not_found(f"{nid} not found")
    return network


def created_records(network: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The IP records NAPI writes when it creates a network, by address.

    The gateway, the resolvers inside the subnet and the broadcast address are reserved for the
    operator (``belongs_to_type: other``); the addresses just outside the provisioning range are
    unreserved markers. Shared networks get them too, but their owner is the operator.
    """
    subnet_text = network.get("subnet") or network.get("_sim_subnet")
    if not subnet_text:
        return {}
    subnet = ipaddress.ip_network(str(subnet_text))
    records: dict[str, dict[str, Any]] = {}
    reserved = {"reserved": True, "belongs_to_type": "other", "_sim_operator": True}
    gateway = network.get("gateway") or network.get("_sim_gateway")
    if gateway:
        records[str(gateway)] = dict(reserved)
    for resolver in network.get("resolvers") or ():
        try:
            inside = ipaddress.ip_address(str(resolver)) in subnet
        except ValueError:
            inside = False
        if inside:
            records.setdefault(str(resolver), dict(reserved))
    if subnet.version == 4:
        records.setdefault(str(subnet.broadcast_address), dict(reserved))
    first, span, _, _ = _layout(
        str(subnet_text),
        str(gateway) if gateway else None,
        network.get("provision_start_ip"),
        network.get("provision_end_ip"),
    )
    for marker in (first - 1, first + span):
        records.setdefault(str(ipaddress.ip_address(marker)), {"reserved": False})
    return records


def _napi_records(req: SimRequest, network: dict[str, Any]) -> list[dict[str, Any]]:
    """NAPI's IP records of a network in address order, as NAPI lists them for CloudAPI.

    On a shared network CloudAPI asks only for the records the caller owns (its machines'
    addresses); on an owned network it asks for every record.
    """
    nid = network["id"]
    owned = _owned(network)
    records: dict[str, dict[str, Any]] = {}
    if owned:
        records.update(created_records(network))
    now = req.sim.clock.now()
    for machine in req.dc.table("machines", login_of(req)).values():
        settle(machine, now)
        if machine.get("state") == "deleted":
            continue
        for nic in machine.get("nics", []):
            if nic.get("network") == nid:
                record = records.setdefault(nic["ip"], {"reserved": False})
                record.update(
                    belongs_to_type="zone",
                    belongs_to_uuid=machine["id"],
                    owner_uuid=req.account.uuid,
                )
    if owned:  # only owned networks take reservations (see UpdateNetworkIP)
        for ip, change in req.dc.table("network_ips", nid).items():
            records.setdefault(ip, {})["reserved"] = bool(change.get("reserved"))
    ordered = sorted(records.items(), key=lambda item: ipaddress.ip_address(item[0]))
    return [{"ip": ip, **record} for ip, record in ordered]


def _translate_ip(record: dict[str, Any], account_uuid: str) -> dict[str, Any]:
    """CloudAPI's view of a NAPI IP record: operator-managed addresses hide owner and user."""
    shown: dict[str, Any] = {"ip": record["ip"], "reserved": bool(record.get("reserved"))}
    managed = record.get("belongs_to_type") == "other" or bool(record.get("_sim_operator"))
    if not managed:
        for key in ("owner_uuid", "belongs_to_uuid"):
            if key in record:
                shown[key] = record[key]
    if record.get("owner_uuid") != account_uuid:
        shown.pop("belongs_to_uuid", None)
    shown["managed"] = managed
    return shown


def _page_param(req: SimRequest, name: str, default: int, lowest: int, highest: int) -> int | None:
    """A paging parameter as NAPI reads it: None when it is not a whole number in range."""
    raw = req.query.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if lowest <= value <= highest else None


def list_network_ips(req: SimRequest) -> SimResponse:
    network = _network_for_ips(req)
    most = req.sim.settings.max_page
    limit = _page_param(req, "limit", most, 1, most)
    offset = _page_param(req, "offset", 0, 0, 2**53)
    problems = []  # NAPI's parameter errors, worded by CloudAPI's translateErr()
    if limit is None:
        problems.append(
            'property "limit": invalid limit, must be an integer greater than 0 or less than or'
            f" equal to {most}"
        )
    if offset is None:
        problems.append(
            'property "offset": invalid value, offset must be an integer greater than or equal to 0'
        )
    if limit is None or offset is None:
        raise invalid(", ".join(problems))
    records = itertools.islice(_napi_records(req, network), offset, offset + limit)
    page = [
        _translate_ip(record, req.account.uuid)
        for record in records
        if record.get("belongs_to_uuid") or record.get("reserved")
    ]
    return SimResponse(200, page, {"x-query-limit": str(limit), "x-resource-count": str(len(page))})


def _ip_param(req: SimRequest, network: dict[str, Any]) -> str:
    """The path's address, checked as NAPI's validateIP() does (each refusal a 404)."""
    raw = req.params["ip_address"]
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        raise not_found("Invalid IP address") from None
    subnet = ipaddress.ip_network(str(network.get("_sim_subnet") or network.get("subnet")))
    if ip.version != subnet.version:
        raise not_found("IP and subnet are of different address families")
    if ip not in subnet:
        raise not_found("IP is not in subnet")
    return str(ip)


def _lookup_ip(req: SimRequest, network: dict[str, Any], ip: str) -> dict[str, Any]:
    for record in _napi_records(req, network):
        if record["ip"] == ip:
            return _translate_ip(record, req.account.uuid)
    # on a shared network an address that is not the caller's is not shown at all
    if not _owned(network):
        raise not_found(f"{ip} not found")
    return {"ip": ip, "reserved": False, "managed": False}  # NAPI's answer for a free address


def get_network_ip(req: SimRequest) -> SimResponse:
    network = _network_for_ips(req)
    return ok(_lookup_ip(req, network, _ip_param(req, network)))


def update_network_ip(req: SimRequest) -> SimResponse:
    network = _network_for_ips(req)
    raw = req.param("reserved")
    if raw is None:
        raise ApiError(409, "MissingParameter", "reserved is a required argument")
    if isinstance(raw, str) and raw in ("true", "false"):
        raw = raw == "true"
    if not isinstance(raw, bool):
        raise invalid("reserved must be set to true or false")
    if not _owned(network):
        raise invalid(f"cannot update an IP on a public network: {network['id']}")
    ip = _ip_param(req, network)
    entry = _lookup_ip(req, network, ip)
    if entry.get("managed"):
        raise invalid(f"cannot update managed IP: {ip}")
    req.dc.table("network_ips", network["id"])[ip] = {"reserved": raw}
    return ok({**entry, "reserved": raw})


# --- the networks of a new machine (CreateMachine) -------------------------------------


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def network_object(req: SimRequest, item: dict[str, Any]) -> tuple[str, str | None]:
    """A NetworkObject's network and fixed address, checked as the server checks them."""
    network_id = item.get("ipv4_uuid")
    ips, count = item.get("ipv4_ips"), item.get("ipv4_count")
    if not network_id:
        raise ApiError(409, "MissingParameter", "network objects must contain ipv4_uuid")
    if not isinstance(network_id, str):
        raise invalid("ipv4_uuid must be a string")
    if not _UUID.match(network_id):
        raise invalid(f"ipv4_uuid: {network_id} is not a uuid")
    if count is not None and ips is not None:
        raise invalid("ipv4_count and ipv4_ips cannot be specified together")
    if count is not None and (isinstance(count, bool) or count != 1):
        raise invalid("ipv4_count can only be set to 1")
    if ips is None:
        return network_id, None
    if not isinstance(ips, list):
        raise invalid("ipv4_ips must be an array with a single IP")
    if len(ips) != 1:
        raise invalid(
            f"ipv4_ips: network with ipv4_uuid {network_id} should contain a single IP array"
        )
    if not isinstance(ips[0], str):
        raise invalid("ipv4_ips[0]: string expected")
    network = find_network(req, network_id)
    if network is None:
        raise not_found(f"ipv4_uuid: network {network_id} not found")
    if not network.get("fabric"):  # shared networks have no owners: no chosen addresses there
        raise invalid(f"ipv4_uuid: {network_id} cannot specify IP on a public network")
    subnet = ipaddress.ip_network(str(network.get("subnet")))
    try:
        inside = ipaddress.ip_address(ips[0]) in subnet
    except ValueError:
        inside = False
    if not inside:
        raise invalid(f"cannot validate {ips[0]}: not an address of network {network_id}")
    check_chosen_address(network, str(ips[0]))
    return network_id, str(ips[0])


def check_chosen_address(network: dict[str, Any], ip: str) -> None:
    """An address asked for must not be one NAPI manages (gateway, resolver, broadcast)."""
    record = created_records(network).get(str(ipaddress.ip_address(ip)))
    if record is not None and record["reserved"]:
        raise invalid(f"cannot use {ip} because it is a managed IP")


def requested_networks(req: SimRequest) -> tuple[list[str], dict[str, str]]:
    """CreateMachine's networks (deduplicated, in order) and any addresses asked for."""
    requested = req.param("networks")
    if requested in (None, "", []):
        wanted = req.param("default_networks") or ["external", "internal"]
        names = ("external", "internal")
        defaults = default_network_ids(req.dc)
        return [nid for name, nid in zip(names, defaults, strict=True) if name in wanted], {}
    items = requested if isinstance(requested, list) else str(requested).split(",")
    ids: list[str] = []
    fixed: dict[str, str] = {}
    for index, item in enumerate(items):
        if isinstance(item, dict):
            network_id, ip = network_object(req, item)
            if ip is not None:
                fixed[network_id] = ip
        elif isinstance(item, str):
            network_id = item.strip()
        else:
            raise invalid(f'property "networks[{index}]": array of strings or objects expected')
        if network_id not in ids:  # the server drops repeated networks
            ids.append(network_id)
    for network_id in ids:
        if find_network(req, network_id) is None:
            raise invalid("Invalid Networks")
    return ids, fixed


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
