"""Instances: ListMachines (filters, offset/limit paging), GetMachine, CreateMachine, DeleteMachine,
the ``?action=`` forms (stop, start, reboot, resize, rename, firewall, deletion protection), the audit
log and the VNC endpoint.

Machines live in ``dc.table("machines", login)`` in creation order. State changes are scheduled with
:mod:`smartdc.testing.lazy` and applied when a machine is read, so a ``VirtualClock`` drives them.
Audit entries are kept per machine with the time the action completes; an entry becomes visible at
that time (so a client can wait on the audit log for actions without a state change, like reboot).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from typing import Any

from smartdc.testing.clock import iso_time
from smartdc.testing.lazy import cancel, schedule, settle
from smartdc.testing.resources.common import (
    as_bool,
    created,
    get_and_head,
    invalid,
    location,
    login_of,
    missing,
    no_content,
    not_found,
    ok,
    required,
)
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse
from smartdc.testing.state import DatacenterState

AUDIT_KEY = "_sim_audit"
# ListMachines `state` filter values and what they select
_STATE_ALIASES = {
    "destroyed": {"deleted"},
    "active": {
        "provisioning",
        "running",
        "stopping",
        "stopped",
        "ready",
        "offline",
        "unknown",
        "failed",
    },
}
_BOOL_FILTERS = ("docker",)
_VM_IMAGE_TYPES = ("zvol",)


# --- helpers shared with the other machine-side modules ---------------------------------------


def machines_of(req: SimRequest) -> dict[str, dict[str, Any]]:
    dc: DatacenterState = req.dc
    return dc.table("machines", login_of(req))


def find_machine(
    req: SimRequest, machine_id: str | None = None, *, allow_deleted: bool = False
) -> dict[str, Any]:
    """The machine named by the path (404 if unknown; 410 Gone if destroyed, unless allowed)."""
    mid = machine_id or req.params["machine"]
    machine = machines_of(req).get(mid)
    if machine is None:
        raise not_found(f"VM {mid} not found")
    now = req.sim.clock.now()
    settle(machine, now)
    for nic in machine.get("nics", []):  # NICs added later become ready on their own schedule
        ready = nic.get("_sim_ready_at")
        if ready is not None and ready <= now:
            nic["state"] = "running"
            del nic["_sim_ready_at"]
    if machine.get("state") == "deleted" and not allow_deleted:
        raise ApiError(410, "ResourceNotFound", f"VM {mid} has been destroyed")
    return machine


def audit(
    req: SimRequest,
    machine: dict[str, Any],
    action: str,
    *,
    at: float | None = None,
    success: bool = True,
) -> None:
    """Record an audit entry, visible from clock time ``at`` (default now)."""
    when = req.sim.clock.now() if at is None else at
    caller: dict[str, Any] = {
        "type": "signature",
        "ip": req.caller.ip or "127.0.0.1",
        "keyId": req.caller.key_id,
    }
    if req.caller.user:
        caller["user"] = req.caller.user
    entry = {
        "action": action,
        "success": "yes" if success else "no",
        "time": iso_time(when),
        "caller": caller,
        "_sim_at": when,
    }
    machine.setdefault(AUDIT_KEY, []).append(entry)


def touch(req: SimRequest, machine: dict[str, Any], at: float | None = None) -> None:
    machine["updated"] = iso_time(req.sim.clock.now() if at is None else at)


def find_package(dc: DatacenterState, ref: str) -> dict[str, Any] | None:
    """A package by id, or the active package of that name."""
    packages = dc.table("packages")
    if ref in packages:
        return packages[ref]
    named = [p for p in packages.values() if p.get("name") == ref and p.get("_sim_active", True)]
    return named[-1] if named else None


# --- network identity of a machine -----------------------------------------------------------


def _digest(machine_id: str) -> bytes:
    return hashlib.sha256(machine_id.encode()).digest()


def _nics(dc: DatacenterState, machine_id: str, network_ids: list[str]) -> list[dict[str, Any]]:
    from smartdc.testing.resources.networks import address_in  # same layer: simulator only

    digest = _digest(machine_id)
    nics = []
    for index, network_id in enumerate(network_ids):
        ip, netmask, gateway = address_in(dc, network_id, digest[2 * index : 2 * index + 2])
        mac = "90:b8:d0:" + ":".join(f"{b:02x}" for b in digest[10 + 3 * index : 13 + 3 * index])
        nics.append(
            {
                "mac": mac,
                "ip": ip,
                "primary": index == 0,
                "netmask": netmask,
                "gateway": gateway,
                "state": "running",
                "network": network_id,
            }
        )
    return nics


def _network_ids(req: SimRequest) -> list[str]:
    from smartdc.testing.resources.networks import default_network_ids, find_network

    requested = req.param("networks")
    if requested in (None, "", []):
        return default_network_ids(req.dc)
    items = requested if isinstance(requested, list) else str(requested).split(",")
    ids = []
    for item in items:
        if isinstance(item, dict):
            network_id = item.get("ipv4_uuid")
            if not network_id:
                raise invalid("network objects need ipv4_uuid")
        else:
            network_id = str(item).strip()
        if find_network(req, str(network_id)) is None:
            raise invalid(f"network {network_id} not found")
        ids.append(str(network_id))
    return ids


def running_fields(
    req: SimRequest, machine: dict[str, Any], network_ids: list[str]
) -> dict[str, Any]:
    """What a machine gains when provisioning completes: IPs, NICs, networks, a compute node."""
    nics = _nics(req.dc, machine["id"], network_ids)
    ips = [n["ip"] for n in nics]
    public = [n["ip"] for n in nics if not n["ip"].startswith("10.")]
    return {
        "ips": ips,
        "networks": network_ids,
        "nics": nics,
        "primaryIp": public[0] if public else (ips[0] if ips else None),
        "compute_node": "44454c4c-5400-1034-8052-b5c04f383432",
    }


# --- ListMachines ----------------------------------------------------------------------------


def _matches(machine: dict[str, Any], query: dict[str, str], tombstone: bool) -> bool:
    state = machine.get("state")
    wanted_state = query.get("state")
    if wanted_state:
        allowed = _STATE_ALIASES.get(wanted_state, {wanted_state})
        if state not in allowed:
            return False
    elif state == "deleted" and not tombstone:
        return False
    for key in ("name", "image", "brand", "type"):
        if key in query and str(machine.get(key)) != query[key]:
            return False
    if "memory" in query and str(machine.get("memory")) != query["memory"]:
        return False
    if "docker" in query and bool(machine.get("docker")) != as_bool(query["docker"], "docker"):
        return False
    tags = machine.get("tags", {})
    for key, value in query.items():
        if key.startswith("tag.") and str(tags.get(key[4:])) != value:
            return False
    return True


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"{name} must be an integer") from None
    if value < 0:
        raise invalid(f"{name} must be >= 0")
    return value


def list_machines(req: SimRequest) -> SimResponse:
    query = req.query
    limit = _int_param(query, "limit", req.sim.settings.max_page)
    if limit > req.sim.settings.max_page or limit == 0:
        raise invalid(f"limit must be between 1 and {req.sim.settings.max_page}")
    offset = _int_param(query, "offset", 0)
    now = req.sim.clock.now()
    everything: Iterator[dict[str, Any]] = (settle(m, now) for m in machines_of(req).values())
    if query.get("tags") == "*":
        # `tags=*` overrides every other filter: instances with at least one tag
        selected: Iterator[dict[str, Any]] = (
            m for m in everything if m.get("tags") and m.get("state") != "deleted"
        )
    else:
        tombstone = as_bool(query["tombstone"], "tombstone") if "tombstone" in query else False
        selected = (m for m in everything if _matches(m, query, tombstone))
    page = [render(req, m) for m in itertools.islice(selected, offset, offset + limit)]
    headers = {"x-query-limit": str(limit), "x-resource-count": str(len(page))}
    return SimResponse(200, page, headers)


def render(req: SimRequest, machine: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in machine.items() if not k.startswith("_sim")}
    if shown.get("primaryIp") is None:
        shown.pop("primaryIp", None)
    credentials = req.query.get("credentials")
    if credentials is not None and as_bool(credentials, "credentials"):
        shown["metadata"] = {
            **shown.get("metadata", {}),
            "credentials": machine.get("_sim_credentials", {}),
        }
    return shown


# --- GetMachine, CreateMachine, DeleteMachine ------------------------------------------------


def get_machine(req: SimRequest) -> SimResponse:
    machine = find_machine(req, allow_deleted=True)
    status = 410 if machine.get("state") == "deleted" else 200
    return ok(render(req, machine), status=status)


def _flattened(req: SimRequest, prefix: str) -> dict[str, Any]:
    body = req.body if isinstance(req.body, dict) else {}
    found = {k[len(prefix) :]: v for k, v in req.query.items() if k.startswith(prefix)}
    found.update({k[len(prefix) :]: v for k, v in body.items() if k.startswith(prefix)})
    return found


def create_machine(req: SimRequest) -> SimResponse:
    from smartdc.testing.resources.images import find_image

    image_ref = req.param("image") or req.param("dataset")
    if not image_ref:
        raise missing("image")
    image = find_image(req.dc, str(image_ref))
    if image is None or image.get("state", "active") != "active":
        raise not_found(f"image {image_ref} not found")
    package_ref = required(req, "package")
    package = find_package(req.dc, str(package_ref))
    if package is None:
        raise not_found(f"package {package_ref} not found")

    sim = req.sim
    machine_id = sim.new_uuid()
    name = str(req.param("name") or machine_id[:8]).replace("{{shortId}}", machine_id[:8])
    if len(name) > 189:
        raise invalid("name must be at most 189 characters")
    machines = machines_of(req)
    now_time = sim.clock.now()
    for other in machines.values():
        if other.get("name") == name and settle(other, now_time).get("state") not in (
            "deleted",
            "failed",
        ):
            raise ApiError(
                409,
                "ValidationFailed",
                "Invalid VM parameters",
                body={
                    "code": "ValidationFailed",
                    "message": "Invalid VM parameters",
                    "errors": [
                        {
                            "field": "alias",
                            "code": "Duplicate",
                            "message": f"Already exists for this owner_uuid: {name}",
                        }
                    ],
                },
            )
    network_ids = _network_ids(req)

    metadata = {
        str(k): v if isinstance(v, str) else _json_text(v)
        for k, v in _flattened(req, "metadata.").items()
    }
    fail = name in sim.settings.fail_provision_names or metadata.pop("sim-fail", "") == "true"
    metadata = {k: v for k, v in metadata.items() if k != "credentials" and not k.endswith("_pw")}
    keys = [k["key"] for k in sim.key_table(login_of(req)).values() if "key" in k]
    metadata.setdefault("root_authorized_keys", "\n".join(keys) + ("\n" if keys else ""))
    tags = _flattened(req, "tag.")

    kind = str(image.get("type", "zone-dataset"))
    requirements = image.get("requirements") or {}
    brand = str(
        req.param("brand")
        or requirements.get("brand")
        or {"lx-dataset": "lx", "zvol": "kvm"}.get(kind, "joyent")
    )
    now = sim.now_iso()
    machine: dict[str, Any] = {
        "id": machine_id,
        "name": name,
        "type": "virtualmachine" if kind in _VM_IMAGE_TYPES else "smartmachine",
        "brand": brand,
        "state": "provisioning",
        "image": image["id"],
        "ips": [],
        "memory": package["memory"],
        "disk": package["disk"],
        "metadata": metadata,
        "tags": tags,
        "created": now,
        "updated": now,
        "networks": [],
        "firewall_enabled": _flag(req, "firewall_enabled"),
        "deletion_protection": _flag(req, "deletion_protection"),
        "compute_node": None,
        "package": package["name"],
    }
    done = now_time + sim.settings.provision_seconds
    if fail:
        schedule(machine, done, state="failed", updated=iso_time(done))
    else:
        schedule(
            machine,
            done,
            state="running",
            updated=iso_time(done),
            **running_fields(req, machine, network_ids),
        )
    audit(req, machine, "provision", at=done, success=not fail)
    machines[machine_id] = machine
    return created(render(req, machine), location(login_of(req), "machines", machine_id))


def _flag(req: SimRequest, name: str) -> bool:
    value = req.param(name)
    return False if value is None else as_bool(value, name)


def _json_text(value: Any) -> str:
    import json

    return json.dumps(value)


def delete_machine(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    if machine.get("deletion_protection"):
        raise ApiError(
            409,
            "CannotDestroyMachineError",
            f"Instance {machine['id']} has deletion_protection enabled",
        )
    now = req.sim.clock.now()
    cancel(machine)
    done = now + req.sim.settings.delete_seconds
    schedule(machine, done, state="deleted", updated=iso_time(done))
    audit(req, machine, "destroy", at=done)
    return no_content()


# --- actions ---------------------------------------------------------------------------------


def _transition(
    req: SimRequest,
    machine: dict[str, Any],
    *,
    allowed: tuple[str, ...],
    during: str | None,
    final: str,
    seconds: float,
    action: str,
) -> None:
    state = machine.get("state")
    if state == final and during is not None:
        audit(req, machine, action)  # already there: the job succeeds without a change
        return
    if state not in allowed:
        raise ApiError(409, "InvalidState", f"Instance {machine['id']} is {state}: cannot {action}")
    now = req.sim.clock.now()
    if during is not None:
        machine["state"] = during
        touch(req, machine)
    done = now + seconds
    schedule(machine, done, state=final, updated=iso_time(done))
    audit(req, machine, action, at=done)


def _stop(req: SimRequest, machine: dict[str, Any]) -> None:
    _transition(
        req,
        machine,
        allowed=("running",),
        during="stopping",
        final="stopped",
        seconds=req.sim.settings.stop_seconds,
        action="stop",
    )


def _start(req: SimRequest, machine: dict[str, Any]) -> None:
    _transition(
        req,
        machine,
        allowed=("stopped",),
        during="stopped",
        final="running",
        seconds=req.sim.settings.start_seconds,
        action="start",
    )


def _reboot(req: SimRequest, machine: dict[str, Any]) -> None:
    if machine.get("state") != "running":
        raise ApiError(
            409,
            "InvalidState",
            f"Instance {machine['id']} is {machine.get('state')}: cannot reboot",
        )
    audit(req, machine, "reboot", at=req.sim.clock.now() + req.sim.settings.reboot_seconds)


def _resize(req: SimRequest, machine: dict[str, Any]) -> None:
    ref = str(required(req, "package"))
    package = find_package(req.dc, ref)
    if package is None:
        raise not_found(f"package {ref} not found")
    if machine.get("brand") == "kvm":
        raise invalid("kvm instances cannot be resized")
    machine.update(package=package["name"], memory=package["memory"], disk=package["disk"])
    touch(req, machine)
    audit(req, machine, "resize")


def _rename(req: SimRequest, machine: dict[str, Any]) -> None:
    name = str(required(req, "name"))
    if len(name) > 189:
        raise invalid("name must be at most 189 characters")
    machine["name"] = name
    touch(req, machine)
    audit(req, machine, "rename")


def _setter(field: str, value: bool, action: str) -> Any:
    def apply(req: SimRequest, machine: dict[str, Any]) -> None:
        machine[field] = value
        touch(req, machine)
        audit(req, machine, action)

    return apply


_ACTIONS = {
    "stop": _stop,
    "start": _start,
    "reboot": _reboot,
    "resize": _resize,
    "rename": _rename,
    "enable_firewall": _setter("firewall_enabled", True, "enable_firewall"),
    "disable_firewall": _setter("firewall_enabled", False, "disable_firewall"),
    "enable_deletion_protection": _setter(
        "deletion_protection", True, "enable_deletion_protection"
    ),
    "disable_deletion_protection": _setter(
        "deletion_protection", False, "disable_deletion_protection"
    ),
}


def machine_action(req: SimRequest) -> SimResponse:
    action = req.param("action")
    if not action:
        raise missing("action")
    apply = _ACTIONS.get(str(action))
    if apply is None:
        raise invalid(f"{action} is not a valid action")
    machine = find_machine(req)
    apply(req, machine)
    return SimResponse(202)


# --- audit and VNC ---------------------------------------------------------------------------


def machine_audit(req: SimRequest) -> SimResponse:
    machine = find_machine(req, allow_deleted=True)
    now = req.sim.clock.now()
    visible = [e for e in machine.get(AUDIT_KEY, []) if e["_sim_at"] <= now]
    visible.sort(key=lambda e: e["_sim_at"], reverse=True)
    return ok([{k: v for k, v in e.items() if not k.startswith("_sim")} for e in visible])


def connect_vnc(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    if machine.get("brand") not in ("kvm", "bhyve"):
        raise ApiError(
            400, "MachineHasNoVNCError", f"Instance {machine['id']} does not support VNC"
        )
    if req.headers.get("upgrade", "").lower() != "websocket":
        raise ApiError(400, "UpgradeRequiredError", "VNC connections must use a WebSocket upgrade")
    raise ApiError(501, "NotImplemented", "the simulator does not serve VNC sessions")


# --- bulk creation for benchmarks ------------------------------------------------------------


def populate(dc: DatacenterState, login: str, n: int) -> None:
    """Create ``n`` running machines at once (benchmarks: 100,000 fit in memory in seconds)."""
    from smartdc.testing.resources.networks import default_network_ids

    machines = dc.table("machines", login)
    images = [i for i in dc.table("images").values() if i.get("type") == "zone-dataset"]
    packages = [p for p in dc.table("packages").values() if p.get("_sim_active", True)]
    network_ids = default_network_ids(dc)
    now = iso_time(dc.sim.clock.now())
    start = len(machines)
    for index in range(start, start + n):
        machine_id = (
            f"{index:08x}-5a1d-4c1e-8d1e-{hashlib.md5(str(index).encode()).hexdigest()[:12]}"
        )
        image = images[index % len(images)]
        package = packages[index % len(packages)]
        nics = _nics(dc, machine_id, network_ids)
        machines[machine_id] = {
            "id": machine_id,
            "name": f"bulk-{index:06d}",
            "type": "smartmachine",
            "brand": "joyent",
            "state": "running",
            "image": image["id"],
            "ips": [nic["ip"] for nic in nics],
            "memory": package["memory"],
            "disk": package["disk"],
            "metadata": {"root_authorized_keys": "", "role": "web", "index": str(index)},
            "tags": {"group": f"g{index % 10}", "env": "bench"},
            "created": now,
            "updated": now,
            "networks": network_ids,
            "nics": nics,
            "primaryIp": nics[0]["ip"],
            "firewall_enabled": False,
            "deletion_protection": False,
            "compute_node": "44454c4c-5400-1034-8052-b5c04f383432",
            "package": package["name"],
        }


def register(router: Router) -> None:
    get_and_head(router, "/:account/machines", "ListMachines", "HeadMachines", list_machines)
    router.add("POST", "/:account/machines", "CreateMachine", create_machine)
    get_and_head(router, "/:account/machines/:machine", "GetMachine", "HeadMachine", get_machine)
    router.add("POST", "/:account/machines/:machine", "UpdateMachine", machine_action)
    router.add("DELETE", "/:account/machines/:machine", "DeleteMachine", delete_machine)
    get_and_head(
        router, "/:account/machines/:machine/audit", "MachineAudit", "HeadAudit", machine_audit
    )
    router.add("GET", "/:account/machines/:machine/vnc", "ConnectMachineVNC", connect_vnc)
