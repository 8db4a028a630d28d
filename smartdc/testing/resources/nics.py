"""Instance NICs: ListNics, GetNic (MAC without colons in the path), AddNic (``provisioning`` then
``running``; 302 to the existing NIC when one is already on that network), RemoveNic.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from smartdc.testing.clock import iso_time
from smartdc.testing.lazy import schedule
from smartdc.testing.resources.common import (
    get_and_head,
    invalid,
    location,
    login_of,
    no_content,
    not_found,
    ok,
)
from smartdc.testing.resources.machines import audit, find_machine, touch
from smartdc.testing.resources.networks import allocate_address, find_network, network_object
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse

_PATH_MAC = re.compile(r"^[0-9a-f]{12}$")  # paths carry the MAC without colons
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _path_mac(nic: dict[str, Any]) -> str:
    return str(nic["mac"]).replace(":", "")


def _find(req: SimRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    machine = find_machine(req)
    wanted = req.params["mac"].lower()
    if not _PATH_MAC.match(wanted):
        raise invalid("mac has invalid format")
    for nic in machine.get("nics", []):
        if _path_mac(nic) == wanted:
            return machine, nic
    raise not_found("nic not found")


def list_nics(req: SimRequest) -> SimResponse:
    nics = list(find_machine(req).get("nics", []))
    return SimResponse(200, nics, {"x-resource-count": str(len(nics))})


def get_nic(req: SimRequest) -> SimResponse:
    return ok(_find(req)[1])


def add_nic(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    network = req.param("network")
    if not network:
        raise ApiError(409, "MissingParameter", "network must be specified")
    chosen: str | None = None
    if isinstance(network, str):
        if not _UUID.match(network):
            raise invalid("network argument has invalid format")
        network_id = network
    elif isinstance(network, dict):  # a NetworkObject, checked as CreateMachine checks it
        network_id, chosen = network_object(req, network)
    else:
        raise invalid("network argument must be a network object or string")
    if find_network(req, network_id) is None:
        raise invalid("network not found")
    nics = machine.setdefault("nics", [])
    for nic in nics:
        if nic.get("network") == network_id:
            # already on that network: the server redirects to that NIC, with an empty body
            where = location(login_of(req), "machines", machine["id"], "nics", _path_mac(nic))
            return SimResponse(302, None, {"Location": where})
    digest = hashlib.sha256(f"{machine['id']}/{len(nics)}/{network_id}".encode()).digest()
    ip, netmask, gateway = allocate_address(req.dc, network_id)
    if chosen is not None:
        ip = chosen  # asked for: the counter's address stays unused
    nic = {
        "mac": "90:b8:d0:" + ":".join(f"{b:02x}" for b in digest[2:5]),
        "ip": ip,
        "primary": bool(req.param("primary")) or not nics,
        "netmask": netmask,
        "gateway": gateway,
        "state": "provisioning",
        "network": network_id,
    }
    nics.append(nic)
    machine.setdefault("ips", []).append(ip)
    machine.setdefault("networks", []).append(network_id)
    done = req.sim.clock.now() + req.sim.settings.reboot_seconds
    # the NIC is part of the machine dict: schedule its change on the machine (the instance reboots)
    schedule(machine, done, updated=iso_time(done))
    nic["state"] = "running" if req.sim.settings.reboot_seconds <= 0 else "provisioning"
    nic["_sim_ready_at"] = done
    touch(req, machine)
    audit(req, machine, "add_nics", at=done)
    where = location(login_of(req), "machines", machine["id"], "nics", _path_mac(nic))
    return SimResponse(
        201, {k: v for k, v in nic.items() if not k.startswith("_sim")}, {"Location": where}
    )


def remove_nic(req: SimRequest) -> SimResponse:
    machine, nic = _find(req)
    machine["nics"] = [n for n in machine["nics"] if n is not nic]
    machine["ips"] = [ip for ip in machine.get("ips", []) if ip != nic["ip"]]
    if not any(n.get("network") == nic.get("network") for n in machine["nics"]):
        machine["networks"] = [n for n in machine.get("networks", []) if n != nic.get("network")]
    touch(req, machine)
    audit(req, machine, "remove_nics")
    return no_content()


# The API version these routes need (sdc-cloudapi lib/nics.js registers them from it).
MIN_VERSION = "7.2.0"


def register(router: Router) -> None:
    base = "/:account/machines/:machine/nics"
    get_and_head(router, base, "ListNics", "ListNics", list_nics, min_version=MIN_VERSION)
    router.add("POST", base, "AddNic", add_nic, min_version=MIN_VERSION)
    get_and_head(router, base + "/:mac", "GetNic", "GetNic", get_nic, min_version=MIN_VERSION)
    router.add("DELETE", base + "/:mac", "RemoveNic", remove_nic, min_version=MIN_VERSION)
