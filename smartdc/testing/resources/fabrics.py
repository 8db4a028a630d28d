"""Fabric VLANs and fabric networks of an account (VLAN 2 ``My-Fabric-VLAN`` with one network is
created on first use, as Triton does for new accounts). Fabric networks are kept with the account's
networks (``dc.table("networks", login)``) so ListNetworks and CreateMachine see them.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from smartdc.testing.lazy import settle
from smartdc.testing.resources.common import (
    as_bool,
    as_list,
    created,
    get_and_head,
    invalid,
    location,
    login_of,
    no_content,
    not_found,
    ok,
)
from smartdc.testing.router import ApiError, Handler, Router, SimRequest, SimResponse

_RFC1918 = tuple(
    ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
_MAX_RESOLVERS = 4  # CloudAPI's own limit (lib/endpoints/networks.js)
_VLAN_NAME_MAX = 64
_VLAN_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_./-]{1,255}$")


def _vlans(req: SimRequest) -> dict[str, dict[str, Any]]:
    vlans: dict[str, dict[str, Any]] = req.dc.table("fabric_vlans", login_of(req))
    if not vlans:
        vlans["2"] = {"vlan_id": 2, "name": "My-Fabric-VLAN", "description": "Default fabric VLAN"}
        default = _new_network(
            req,
            2,
            {
                "name": "My-Fabric-Network",
                # RFC 5737 (TEST-NET-1), not NAPI's private range: it reaches nothing
                "subnet": "192.0.2.0/24",
                "provision_start_ip": "192.0.2.5",
                "provision_end_ip": "192.0.2.250",
                "gateway": "192.0.2.1",
                # RFC 5737 (TEST-NET-2) too, not a public resolver; outside the subnet, so
                # not reserved in it
                "resolvers": ["198.51.100.253", "198.51.100.254"],
            },
        )
        default["_sim_default"] = True
    return vlans


def default_network_id(req: SimRequest) -> str | None:
    """The account's default network: its config's, else the default fabric network."""
    config = req.dc.table("config").get(login_of(req), {})
    if config.get("default_network"):
        return str(config["default_network"])
    _vlans(req)
    found = [n["id"] for n in _networks(req).values() if n.get("_sim_default")]
    return found[0] if found else None


def ensure_defaults(req: SimRequest) -> None:
    """Create the account's default fabric VLAN and network on first use."""
    _vlans(req)


def _networks(req: SimRequest) -> dict[str, dict[str, Any]]:
    networks: dict[str, dict[str, Any]] = req.dc.table("networks", login_of(req))
    return networks


def _vlan(req: SimRequest) -> dict[str, Any]:
    raw = req.params["vlan_id"]
    vlan = _vlans(req).get(str(raw).lstrip("0") or "0")
    if vlan is None:
        raise not_found("vlan not found")  # NAPI's missing-object error for its vlan bucket
    return vlan


def _schema_missing(key: str) -> ApiError:
    """A key the joyent-schemas schema requires: jsprim's words, 409 InvalidArgument (not
    MissingParameter: lib/endpoints/networks.js schemaValidate())."""
    return invalid(f'property "{key}": is missing and it is required')


def list_vlans(req: SimRequest) -> SimResponse:
    return ok(sorted(_vlans(req).values(), key=lambda v: v["vlan_id"]))


def create_vlan(req: SimRequest) -> SimResponse:
    raw_id = req.param("vlan_id")
    if raw_id is None:
        raise _schema_missing("vlan_id")
    name = req.param("name")
    if not name:
        raise _schema_missing("name")
    try:
        vlan_id = int(raw_id)
    except (TypeError, ValueError):
        raise invalid("vlan_id must be an integer") from None
    if not 2 <= vlan_id <= 4095:  # 0 and 1 are reserved (the server's schema)
        raise invalid('property "vlan_id": must be between 2 and 4095')
    if not _VLAN_NAME.match(str(name)) or len(str(name)) > _VLAN_NAME_MAX:
        raise invalid(f'property "name": must match {_VLAN_NAME.pattern}, at most 64 characters')
    vlans = _vlans(req)
    if str(vlan_id) in vlans:
        # NAPI's InUse, worded by CloudAPI's translateErr()
        raise invalid('property "vlan_id": VLAN ID is already in use')
    vlan: dict[str, Any] = {"vlan_id": vlan_id, "name": str(name)}
    if req.param("description") is not None:
        vlan["description"] = str(req.param("description"))
    vlans[str(vlan_id)] = vlan
    return created(vlan, location(login_of(req), "fabrics", "default", "vlans", str(vlan_id)))


def get_vlan(req: SimRequest) -> SimResponse:
    return ok(_vlan(req))


def update_vlan(req: SimRequest) -> SimResponse:
    vlan = _vlan(req)
    for key in ("name", "description"):
        if req.param(key) is not None:
            vlan[key] = str(req.param(key))
    return ok(vlan, status=202)


def delete_vlan(req: SimRequest) -> SimResponse:
    vlan = _vlan(req)
    if any(n.get("vlan_id") == vlan["vlan_id"] for n in _networks(req).values()):
        # NAPI's 422 InUse ("VLAN must have no networks", one UsedBy entry per network), which
        # CloudAPI's translateErr() answers as 409 InvalidArgument with the entries' messages.
        users = [n for n in _networks(req).values() if n.get("vlan_id") == vlan["vlan_id"]]
        raise invalid(", ".join(f'In use by network "{n["id"]}"' for n in users))
    del _vlans(req)[str(vlan["vlan_id"])]
    return no_content()


def _new_network(req: SimRequest, vlan_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    network: dict[str, Any] = {
        "id": req.sim.new_uuid(),
        "name": fields["name"],
        "public": False,
        "fabric": True,
        "vlan_id": vlan_id,
        "subnet": fields["subnet"],
        "provision_start_ip": fields["provision_start_ip"],
        "provision_end_ip": fields["provision_end_ip"],
        "resolvers": list(fields.get("resolvers", [])),
        "internet_nat": fields.get("internet_nat", True),
    }
    for key in ("gateway", "description", "routes"):
        if fields.get(key) is not None:
            network[key] = fields[key]
    _networks(req)[network["id"]] = network
    return network


def _vlan_networks(req: SimRequest, vlan: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        n
        for n in _networks(req).values()
        if n.get("vlan_id") == vlan["vlan_id"] and n.get("fabric")
    ]


def _render(network: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in network.items() if not k.startswith("_sim")}


def list_networks(req: SimRequest) -> SimResponse:
    return ok([_render(n) for n in _vlan_networks(req, _vlan(req))])


def create_network(req: SimRequest) -> SimResponse:
    vlan = _vlan(req)
    fields: dict[str, Any] = {}
    for key in ("name", "subnet", "provision_start_ip", "provision_end_ip"):
        value = req.param(key)
        if not value:
            raise _schema_missing(key)
        fields[key] = str(value)
    try:
        subnet = ipaddress.IPv4Network(fields["subnet"])
    except ValueError:
        raise invalid('property "subnet": must be a CIDR IPv4 subnet') from None
    addresses = {key: fields[key] for key in ("provision_start_ip", "provision_end_ip")}
    if req.param("gateway") is not None:
        addresses["gateway"] = str(req.param("gateway"))
    resolvers = as_list(req.param("resolvers"))
    if len(resolvers) > _MAX_RESOLVERS:
        raise invalid(f'property "resolvers": maximum of {_MAX_RESOLVERS} resolvers')
    for key, value in [*addresses.items(), *(("resolvers", r) for r in resolvers)]:
        try:
            ipaddress.IPv4Address(str(value))
        except ValueError:
            raise invalid(f'property "{key}": must be an IPv4 address') from None
    _check_range(req, subnet, addresses, str(fields["name"]))
    fields["resolvers"] = resolvers
    for key in ("gateway", "description", "routes"):
        fields[key] = req.param(key)
    nat = req.param("internet_nat")
    fields["internet_nat"] = True if nat is None else as_bool(nat, "internet_nat")
    network = _new_network(req, vlan["vlan_id"], fields)
    return created(
        _render(network),
        location(
            login_of(req),
            "fabrics",
            "default",
            "vlans",
            str(vlan["vlan_id"]),
            "networks",
            network["id"],
        ),
    )


def _check_range(
    req: SimRequest, subnet: ipaddress.IPv4Network, addresses: dict[str, str], name: str
) -> None:
    """NAPI's checks of a new fabric network (validateProvisionRange, the private-range and
    overlap checks, the per-owner unique name), worded by CloudAPI's translateErr()."""
    start = ipaddress.IPv4Address(addresses["provision_start_ip"])
    end = ipaddress.IPv4Address(addresses["provision_end_ip"])
    gateway = ipaddress.IPv4Address(addresses["gateway"]) if "gateway" in addresses else None
    problems: list[tuple[str, str]] = []
    if start not in subnet:
        problems.append(("provision_start_ip", "provision_start_ip cannot be outside subnet"))
    if end not in subnet:
        problems.append(("provision_end_ip", "provision_end_ip cannot be outside subnet"))
    if gateway is not None and gateway not in subnet:
        problems.append(("gateway", "gateway cannot be outside subnet"))
    if start == subnet.broadcast_address:
        problems.append(
            ("provision_start_ip", "provision_start_ip cannot be the broadcast address")
        )
    if end == subnet.broadcast_address:
        problems.append(("provision_end_ip", "provision_end_ip cannot be the broadcast address"))
    if not problems and start >= end:
        order = "provision_start_ip must be before provision_end_ip"
        problems += [("provision_end_ip", order), ("provision_start_ip", order)]
    if not problems and not any(subnet.subnet_of(block) for block in _RFC1918):
        problems.append(("subnet", "subnet must be within private ranges"))
    if not problems:
        others = sorted(_networks(req).values(), key=lambda n: str(n["id"]))
        problems += [
            ("subnet", "subnet overlaps with another network")
            for other in others
            if other.get("fabric") and subnet.overlaps(ipaddress.ip_network(str(other["subnet"])))
        ]
    if not problems and any(n.get("name") == name for n in _networks(req).values()):
        problems.append(("name", "Already exists"))
    if problems:
        raise invalid(", ".join(f'property "{field}": {text}' for field, text in problems))


def _fabric_network(req: SimRequest) -> dict[str, Any]:
    vlan = _vlan(req)
    network = _networks(req).get(req.params["id"])
    if network is None or network.get("vlan_id") != vlan["vlan_id"]:
        raise not_found("network not found")
    return network


def get_network(req: SimRequest) -> SimResponse:
    return ok(_render(_fabric_network(req)))


def update_network(req: SimRequest) -> SimResponse:
    if isinstance(req.body, dict) and req.body.get("id"):
        raise invalid('property "id": cannot be set')
    resolvers = req.param("resolvers")
    if resolvers is not None and len(as_list(resolvers)) > _MAX_RESOLVERS:
        raise invalid(f'property "resolvers": maximum of {_MAX_RESOLVERS} resolvers')
    network = _fabric_network(req)
    if req.param("gateway") is not None:  # NAPI: fixed once a fabric network exists
        raise invalid(
            'property "gateway": Network updates for this field are not supported on fabrics'
        )
    for key in ("name", "description", "provision_start_ip", "provision_end_ip", "routes"):
        if req.param(key) is not None:
            network[key] = req.param(key)
    if req.param("resolvers") is not None:
        network["resolvers"] = as_list(req.param("resolvers"))
    return ok(_render(network))


def delete_network(req: SimRequest) -> SimResponse:
    network = _fabric_network(req)
    if default_network_id(req) == network["id"]:
        raise invalid("cannot delete default network")
    now = req.sim.clock.now()
    macs = sorted(
        str(nic["mac"])
        for m in req.dc.table("machines", login_of(req)).values()
        if settle(m, now).get("state") != "deleted"
        for nic in m.get("nics", [])
        if nic.get("network") == network["id"]
    )
    if macs:  # NAPI's InUse (one UsedBy entry per NIC), worded by CloudAPI's translateErr()
        raise invalid(", ".join(f'In use by nic "{mac}"' for mac in macs))
    del _networks(req)[network["id"]]
    return no_content()


# The API version these routes need (sdc-cloudapi lib/endpoints/networks.js registers them from it).
MIN_VERSION = "7.3.0"


def _needs_fabrics(handler: Handler) -> Handler:
    """lib/endpoints/networks.js ensureFabricsEnabled(): 501 when the datacenter has no fabrics."""

    def guarded(req: SimRequest) -> SimResponse:
        if not req.sim.settings.fabrics_enabled:
            raise ApiError(501, "NotImplementedError", "fabrics not enabled for this datacenter")
        return handler(req)

    return guarded


def register(router: Router) -> None:
    list_vlans_, create_vlan_, get_vlan_, update_vlan_, delete_vlan_ = map(
        _needs_fabrics, (list_vlans, create_vlan, get_vlan, update_vlan, delete_vlan)
    )
    list_networks_, create_network_, get_network_, update_network_, delete_network_ = map(
        _needs_fabrics,
        (list_networks, create_network, get_network, update_network, delete_network),
    )
    base = "/:account/fabrics/default/vlans"
    get_and_head(
        router, base, "ListFabricVLANs", "HeadFabricVLANs", list_vlans_, min_version=MIN_VERSION
    )
    router.add("POST", base, "CreateFabricVLAN", create_vlan_, min_version=MIN_VERSION)
    get_and_head(
        router,
        base + "/:vlan_id",
        "GetFabricVLAN",
        "GetFabricVLAN",
        get_vlan_,
        min_version=MIN_VERSION,
    )
    router.add("PUT", base + "/:vlan_id", "UpdateFabricVLAN", update_vlan_, min_version=MIN_VERSION)
    router.add(
        "DELETE", base + "/:vlan_id", "DeleteFabricVLAN", delete_vlan_, min_version=MIN_VERSION
    )
    get_and_head(
        router,
        base + "/:vlan_id/networks",
        "ListFabricNetworks",
        "HeadFabricNetworks",
        list_networks_,
        min_version=MIN_VERSION,
    )
    router.add(
        "POST",
        base + "/:vlan_id/networks",
        "CreateFabricNetwork",
        create_network_,
        min_version=MIN_VERSION,
    )
    get_and_head(
        router,
        base + "/:vlan_id/networks/:id",
        "GetFabricNetwork",
        "GetFabricNetwork",
        get_network_,
        min_version=MIN_VERSION,
    )
    router.add(
        "PUT",
        base + "/:vlan_id/networks/:id",
        "UpdateFabricNetwork",
        update_network_,
        min_version=MIN_VERSION,
    )
    router.add(
        "DELETE",
        base + "/:vlan_id/networks/:id",
        "DeleteFabricNetwork",
        delete_network_,
        min_version=MIN_VERSION,
    )
