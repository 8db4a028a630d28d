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
import re
from collections.abc import Iterator
from typing import Any

from smartdc.testing.clock import iso_time
from smartdc.testing.lazy import PENDING_KEY, cancel, schedule, settle
from smartdc.testing.resources import create_params, limits
from smartdc.testing.resources.affinity import parse_rules
from smartdc.testing.resources.common import (
    as_bool,
    created,
    get_and_head,
    invalid,
    is_truthy,
    location,
    login_of,
    no_content,
    not_found,
    ok,
)
from smartdc.testing.resources.networks import (
    allocate_address,
    default_network_ids,
    requested_networks,
)
from smartdc.testing.resources.placement import choose_server, compute_nodes, validate_locality
from smartdc.testing.resources.tagging import tag_from_request
from smartdc.testing.resources.vmapi import UUID_RE, js_parse_int, list_options
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse
from smartdc.testing.state import DatacenterState

AUDIT_KEY = "_sim_audit"
# ListMachines' VMAPI state filter -> the (CloudAPI) states it matches: VMAPI's `active` is neither
# destroyed nor failed (sdc-vmapi lib/apis/moray.js _addFilters... state); the others match exactly.
_VMAPI_STATES: dict[str, frozenset[str] | None] = {
    "active": None,
    "running": frozenset({"running"}),
    "stopped": frozenset({"stopped"}),
    "destroyed": frozenset({"deleted"}),
}
_HVM_BRANDS = ("kvm", "bhyve")
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
        raise gone(req, machine)
    return machine


def gone(req: SimRequest, machine: dict[str, Any]) -> ApiError:
    """410 for a destroyed machine: the server answers with the machine itself, not an error."""
    return ApiError(
        410, "ResourceNotFound", f"VM {machine['id']} has been destroyed", body=render(req, machine)
    )


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


def job_done_at(req: SimRequest) -> float:
    """When a VMAPI job started now (tags, metadata) completes and shows in the audit log.

    Clients wait for such changes through the audit log (an entry newer than their request), so
    the entry must come later than the answer. ``Settings.job_seconds`` says how long.
    """
    return float(req.sim.clock.now() + req.sim.settings.job_seconds)


def touch(req: SimRequest, machine: dict[str, Any], at: float | None = None) -> None:
    machine["updated"] = iso_time(req.sim.clock.now() if at is None else at)


def find_package(
    dc: DatacenterState, ref: str, *, active_only: bool = True
) -> dict[str, Any] | None:
    """A package by id, or by name (the active one of that name first)."""
    packages = dc.table("packages")
    if ref in packages:
        return packages[ref]
    named = [p for p in packages.values() if p.get("name") == ref]
    active = [p for p in named if p.get("_sim_active", p.get("active", True))]
    if active or active_only:
        return active[-1] if active else None
    return named[-1] if named else None


# --- network identity of a machine -----------------------------------------------------------


def _digest(machine_id: str) -> bytes:
    return hashlib.sha256(machine_id.encode()).digest()


def _nics(
    dc: DatacenterState,
    machine_id: str,
    network_ids: list[str],
    fixed: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    digest = _digest(machine_id)
    nics = []
    for index, network_id in enumerate(network_ids):
        ip, netmask, gateway = allocate_address(dc, network_id)
        if fixed and network_id in fixed:
            ip = fixed[network_id]  # asked for: the counter's address stays unused
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


def running_fields(
    req: SimRequest,
    machine: dict[str, Any],
    network_ids: list[str],
    fixed: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What a machine gains when provisioning completes: IPs, NICs, networks."""
    nics = _nics(req.dc, machine["id"], network_ids, fixed)
    ips = [n["ip"] for n in nics]
    # the primary NIC's address, else the first (lib/machines.js translate())
    primary = next((n["ip"] for n in nics if n.get("primary")), ips[0] if ips else None)
    return {
        "ips": ips,
        "networks": network_ids,
        "nics": nics,
        "primaryIp": primary,
    }


# --- ListMachines ----------------------------------------------------------------------------


def tag_text(value: Any) -> str:
    """A tag value as it appears in a query string (booleans as JSON spells them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _selector(opts: dict[str, Any]) -> Any:
    """VMAPI's moray filter for ListMachines' options (sdc-vmapi lib/apis/moray.js)."""
    state = opts.get("state")
    kind = opts.get("type")
    docker = opts.get("docker")
    prefix = opts.get("alias")  # VMAPI matches the alias as a prefix (`alias=<name>*`)
    exact = {
        k: opts.get(f) for k, f in (("image", "image_uuid"), ("brand", "brand"), ("memory", "ram"))
    }
    exact = {k: v for k, v in exact.items() if v is not None}
    tags: dict[str, str] = opts["tags"]

    def select(machine: dict[str, Any]) -> bool:
        if state is not None:
            wanted = _VMAPI_STATES[state]
            if wanted is None and machine.get("state") in ("deleted", "failed"):
                return False
            if wanted is not None and machine.get("state") not in wanted:
                return False
        if kind is not None and (machine.get("brand") in _HVM_BRANDS) != (kind == "virtualmachine"):
            return False
        if docker is not None and bool(machine.get("docker")) != docker:
            return False
        if prefix is not None and not str(machine.get("name", "")).startswith(prefix):
            return False
        for key, value in exact.items():
            if str(machine.get(key)) != value:
                return False
        machine_tags = machine.get("tags", {})
        return all(
            name in machine_tags and tag_text(machine_tags[name]) == value
            for name, value in tags.items()
        )

    return select


def list_order(machines: Iterator[dict[str, Any]]) -> list[dict[str, Any]]:
    """VMAPI's order without a sort: by uuid, descending (sdc-vmapi lib/apis/moray.js
    _sortOptionsFromSortParam() adds the strict total order field, lib/common/marker.js `uuid`,
    with the default order DESC)."""
    return sorted(machines, key=lambda m: str(m["id"]), reverse=True)


def list_machines(req: SimRequest) -> SimResponse:
    from smartdc.testing.resources.images import find_image

    query = req.query
    image = query.get("image")
    if image and UUID_RE.match(image) and find_image(req.dc, image) is None:
        # sdc-cloudapi lib/datasets.js loadDatasets(): an image UUID is loaded first
        raise not_found(f"image {image} not found")
    opts = list_options(query)
    limit = js_parse_int(opts["limit"]) or 0
    offset = js_parse_int(opts["offset"]) or 0
    now = req.sim.clock.now()
    everything: Iterator[dict[str, Any]] = (settle(m, now) for m in machines_of(req).values())
    if opts.get("any_tag"):
        # `tags=*` overrides every other filter: instances with at least one tag
        selected: Iterator[dict[str, Any]] = (m for m in everything if m.get("tags"))
    else:
        select = _selector(opts)
        selected = (m for m in everything if select(m))
    ordered = list_order(selected)
    page = [render(req, m) for m in ordered[offset : offset + limit]]
    headers = {"x-resource-count": str(len(page))}
    if not opts.get("any_tag"):  # list() sends opts.limit, which `tags=*` replaced
        headers["x-query-limit"] = opts["limit"]
    return SimResponse(200, page, headers)


def render(req: SimRequest, machine: dict[str, Any]) -> dict[str, Any]:
    credentials = req.query.get("credentials")
    return shown(
        machine,
        credentials=is_truthy(credentials),  # lib/machines.js translate()
    )


def shown(machine: dict[str, Any], *, credentials: bool = False) -> dict[str, Any]:
    """The machine as the server shows it (translate()); also the changefeed's resourceObject."""
    view = {k: v for k, v in machine.items() if not k.startswith("_sim")}
    if view.get("primaryIp") is None:
        view.pop("primaryIp", None)
    if machine.get("brand") == "bhyve":  # translate() sets disks for every bhyve machine
        view["disks"] = _disks_shown(machine)
    if credentials:
        view["metadata"] = {
            **view.get("metadata", {}),
            "credentials": machine.get("_sim_credentials", {}),
        }
    return view


def _disks_shown(machine: dict[str, Any]) -> list[dict[str, Any]]:
    """A bhyve machine's ``disks`` as translate() lists them: size and block_size, boot and
    image only when set, the id."""
    from smartdc.testing.resources.disks import DISKS_KEY

    listed = []
    for disk in machine.get(DISKS_KEY, {}).values():
        if disk.get("_sim_gone"):
            continue
        item: dict[str, Any] = {"size": disk["size"]}
        if "block_size" in disk:
            item["block_size"] = disk["block_size"]
        if disk.get("boot"):
            item["boot"] = True
            if machine.get("image"):  # VMAPI's boot disk carries the image it came from
                item["image"] = machine["image"]
        item["id"] = disk["id"]
        listed.append(item)
    return listed


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
    from smartdc.testing.resources.disks import DISKS_KEY, initial_disks
    from smartdc.testing.resources.images import find_image

    # the server's order and wording: image, then package, then keys
    if req.param("image") and req.param("dataset"):
        raise invalid("image and dataset are mutually exclusive parameters.")
    image_ref = req.param("image") or req.param("dataset")
    if not image_ref:
        raise ApiError(409, "MissingParameter", "image must be specified")
    image = find_image(req.dc, str(image_ref))
    account_uuid = req.account.uuid
    shared = image is not None and account_uuid in (image.get("acl") or [])
    if image is None or not (image.get("public") or image.get("owner") == account_uuid or shared):
        raise invalid(f"{image_ref} is not a valid image")
    settle(image, req.sim.clock.now())  # an image being created becomes active on its own time
    if image.get("state", "active") != "active":
        raise invalid(f"image {image_ref} is not active")
    if shared and image.get("owner") != account_uuid and not _flag(req, "allow_shared_images"):
        raise invalid(
            f"{image_ref} is a shared image - to provision a shared image you can either clone"
            ' the image or set "allow_shared_images" to true.'
        )
    package_ref = req.param("package")
    if not package_ref:
        raise ApiError(409, "MissingParameter", "package must be specified")
    package = find_package(req.dc, str(package_ref), active_only=False)
    if package is None:
        raise invalid(f"{package_ref} is not a valid package")
    if not package.get("_sim_active", package.get("active", True)):
        raise invalid(f"{package_ref} is inactive. Must use an active package")
    keys = [k["key"] for k in req.sim.key_table(login_of(req)).values() if "key" in k]
    needs_password = bool((image.get("requirements") or {}).get("password"))
    if needs_password:
        if not (req.param("password") or req.param("administrator_pw")):
            raise ApiError(409, "MissingParameter", f"{image['id']} requires a password")
    elif not keys:
        raise ApiError(409, "KeyRequired", "At least one SSH key is required to provision")
    brand = get_brand(req.param("brand"), image, package)  # create(): getCreateOptions() first
    min_ram = (image.get("requirements") or {}).get("min_ram")
    if min_ram and int(package["memory"]) < int(min_ram):
        raise invalid(
            f"You must use a package with at least {int(min_ram)} MiB of RAM in order to"
            " provision the selected image"
        )

    sim = req.sim
    machine_id = sim.new_uuid()
    name = str(req.param("name") or machine_id[:8]).replace("{{shortId}}", machine_id[:8])
    cns = req.account.data.get("triton_cns_enabled") in (True, "true")
    if cns and create_params.js_length(name) > 63:  # lib/machines.js create(): a DNS label
        raise invalid(
            "Name cannot be longer than 63 characters, because you have"
            " triton_cns_enabled set on your Account."
        )
    if req.param("affinity") and req.param("locality"):
        raise invalid('cannot specify both "locality" (deprecated) and "affinity"')
    machines = machines_of(req)
    now_time = sim.clock.now()
    network_ids, fixed_ips = requested_networks(req)
    # lib/machines.js create(): "roughly the point where all the cheap checks are completed"
    limits.check(req, image, package)
    rules = parse_rules(req.param("affinity"))
    locality = req.param("locality") or None

    params = _flattened(req, "")
    metadata = create_params.customer_metadata(params)
    sim_fail = metadata.pop("sim-fail", None)  # the simulator's own switch, never stored
    fail = name in sim.settings.fail_provision_names or str(sim_fail).lower() == "true"
    credentials, internal_problems = create_params.credentials(metadata.pop("credentials", None))
    password = req.param("administrator_pw") or req.param("password")
    if password:  # getCreateOptions(): the Windows password, as customer metadata
        metadata["administrator_pw"] = password
    if keys:
        metadata["root_authorized_keys"] = "\n".join(keys) + "\n"
    tags = create_params.tags(params)
    # VMAPI validateCreateVmParams(): the fields in VM_FIELDS order, then the alias's uniqueness
    problems = [
        *create_params.alias_problems(name),
        *create_params.metadata_problem("customer_metadata", metadata),
        *internal_problems,
        *(validate_locality(locality) if locality is not None else []),
        *create_params.metadata_problem("tags", tags),
    ]
    for other in machines.values():
        if other.get("name") == name and settle(other, now_time).get("state") not in (
            "deleted",
            "failed",
        ):  # validateAlias()
            problems.append(dict(create_params.DUPLICATE_ALIAS))
            break
    firewall = req.param("firewall_enabled")
    given = (isinstance(req.body, dict) and "firewall_enabled" in req.body) or (
        "firewall_enabled" in req.query
    )  # getCreateOptions() passes anything but undefined on: a JSON null too
    if firewall in ("true", "false"):  # VMAPI createValidateBooleanFn('firewall_enabled')
        firewall = firewall == "true"
    elif not given:
        firewall = False
    elif not isinstance(firewall, bool):
        problems.append(
            {"field": "firewall_enabled", "code": "Invalid", "message": "Invalid parameter"}
        )
    if brand == "lx" and image.get("type") != "lxd":  # VMAPI validateLxBrand()
        if image.get("type") not in ("lx-dataset", "docker"):
            problems.append(
                {
                    "field": "image_uuid",
                    "code": "Invalid",
                    "message": f'Image type is "{image.get("type")}" must be one of:'
                    ' ["lx-dataset","docker"]',
                }
            )
        if not (image.get("tags") or {}).get("kernel_version"):
            problems.append(
                {
                    "field": "kernel_version",
                    "code": "MissingParameter",
                    "message": "Required for LX zones",
                }
            )
    if problems:
        raise create_params.create_refused(problems)

    kind = str(image.get("type", "zone-dataset"))
    if (
        package.get("flexible_disk")
        and brand != "bhyve"
        and not sim.settings.has("flexible_disk_any_brand")
    ):  # lib/machines.js before 9.17 refused what it now ignores
        raise invalid(f"The use of `flexible_disk` is not supported with {brand}")
    disks = (
        initial_disks(
            {"id": machine_id, "brand": brand},
            image,
            package,
            req.param("disks"),
            check_block_size=sim.settings.has("block_size_validation"),
        )
        if brand in _HVM_BRANDS
        else []
    )
    # VMAPI has CNAPI place the machine before it answers
    server = choose_server(req.dc, login_of(req), rules=rules, locality=locality)
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
        "firewall_enabled": firewall,
        # getCreateOptions(): only a JSON true sets indestructible_zoneroot
        "deletion_protection": req.param("deletion_protection") is True,
        "compute_node": server,
        "package": package["name"],
    }
    if credentials:
        machine["_sim_credentials"] = credentials
    if brand == "bhyve":  # ListMachineDisks shows the disks of bhyve instances
        machine[DISKS_KEY] = {disk["id"]: disk for disk in disks}
        # VMAPI validatePackageValues() gives a bhyve VM of a flexible_disk package its
        # flexible_disk_size; translate() shows `flexible` for every bhyve VM with a package
        machine["flexible"] = bool(package.get("flexible_disk"))
    mounted = _volumes(req, brand)
    if mounted:
        machine["_sim_volumes"] = mounted
    done = now_time + sim.settings.provision_seconds
    if fail:
        schedule(machine, done, state="failed", updated=iso_time(done))
    else:
        schedule(
            machine,
            done,
            state="running",
            updated=iso_time(done),
            **running_fields(req, machine, network_ids, fixed_ips),
        )
    audit(req, machine, "provision", at=done, success=not fail)
    machines[machine_id] = machine
    tag_from_request(req, machine_id)  # lib/machines.js create(): role-tag, else active roles
    return created(render(req, machine), location(login_of(req), "machines", machine_id))


def _volumes(req: SimRequest, brand: str) -> list[str]:
    """Ids of the NFS volumes a new machine mounts (`volumes: [{name, mountpoint, ...}]`)."""
    requested = req.param("volumes")
    if not requested:
        return []
    if brand in _HVM_BRANDS:
        raise invalid(f'volumes not yet supported with brand "{brand}"')
    if not isinstance(requested, list):
        raise invalid("volumes must be an array")
    by_name = {
        v["name"]: v
        for v in req.dc.table("volumes", login_of(req)).values()
        if v.get("state") not in ("deleted", "failed")
    }
    ids = []
    for item in requested:
        if not isinstance(item, dict):
            raise invalid(f"invalid volume {item!r}")
        if item.get("type", "tritonnfs") != "tritonnfs":
            raise invalid(f'unknown volume type "{item.get("type")}"')
        if item.get("mode", "rw") not in ("ro", "rw"):
            raise invalid(f"volume mode for volume {item.get('name')} must be one of ro, rw")
        mountpoint = item.get("mountpoint")
        if not isinstance(mountpoint, str) or not mountpoint.startswith("/"):
            raise invalid(f"invalid mount point for volume {item.get('name')}")
        volume = by_name.get(str(item.get("name")))
        if volume is None:  # the simulator only mounts volumes that exist (no auto-creation)
            raise invalid(f"volume {item.get('name')} not found")
        ids.append(str(volume["id"]))
    return ids


_VALID_BRANDS = ("bhyve", "joyent", "joyent-minimal", "kvm", "lx")
# CloudAPI's configuration defaults (SAPI template): default_hvm_brand, default_container_brand
_DEFAULT_HVM_BRAND = "kvm"
_DEFAULT_CONTAINER_BRAND = "joyent"


def get_brand(requested: Any, image: dict[str, Any], package: dict[str, Any]) -> str:
    """sdc-cloudapi lib/machines.js getBrand(): the brand asked for (kvm or bhyve only), else the
    image's required brand, else the package's, else the configured default for the image type;
    then the package, image and image type must agree with it (409 InvalidArgument)."""
    img_brand = (image.get("requirements") or {}).get("brand")
    pkg_brand = package.get("brand")
    if requested and requested not in _HVM_BRANDS:
        raise invalid(
            f'Unknown brand "{_safe_brand(requested)}". Brand is restricted to one of'
            ' ["bhyve","kvm"]'
        )
    if img_brand and img_brand not in _VALID_BRANDS:
        raise invalid(f'Image requires unknown brand "{_safe_brand(img_brand)}"')
    if pkg_brand and pkg_brand not in _VALID_BRANDS:
        raise invalid(f'Package requires unknown brand "{_safe_brand(pkg_brand)}"')
    kind = image.get("type")
    brand = str(
        requested
        or img_brand
        or pkg_brand
        or (_DEFAULT_HVM_BRAND if kind == "zvol" else _DEFAULT_CONTAINER_BRAND)
    )
    if pkg_brand and pkg_brand != brand:
        raise invalid(
            f'Package requires brand "{_safe_brand(pkg_brand)}", but brand'
            f' "{_safe_brand(brand)}" was selected'
        )
    if img_brand and pkg_brand and img_brand != pkg_brand:
        raise invalid(
            f'Image requires brand "{_safe_brand(img_brand)}", but pkq requires brand'
            f' "{_safe_brand(pkg_brand)}"'
        )
    if img_brand and img_brand != brand:
        raise invalid(
            f'Image requires brand "{_safe_brand(img_brand)}", but brand'
            f' "{_safe_brand(brand)}" was selected'
        )
    if brand in _HVM_BRANDS and kind != "zvol":
        raise invalid(f'Brand "{_safe_brand(brand)}" requires the image type to be "zvol"')
    if brand not in _HVM_BRANDS and kind == "zvol":
        raise invalid(f'Brand "{_safe_brand(brand)}" cannot use an image of type "zvol"')
    return brand


def _safe_brand(name: Any) -> str:
    """safeBrandName(): letters, digits and '-' kept, then at most 64 characters."""
    return re.sub(r"[^a-zA-Z0-9\-]", "", str(name))[:64]


def _flag(req: SimRequest, name: str) -> bool:
    value = req.param(name)
    return False if value is None else as_bool(value, name)


def delete_machine(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    if machine.get("deletion_protection"):
        raise ApiError(
            409,
            "CannotDestroyMachineError",
            'Instance has "deletion_protection" enabled, preventing deletion',
        )
    if any(step.get("state") == "deleted" for step in machine.get(PENDING_KEY, [])):
        return no_content()  # a destroy job is already running: the server answers 204 again
    now = req.sim.clock.now()
    cancel(machine)
    done = now + req.sim.settings.delete_seconds
    schedule(machine, done, state="deleted", updated=iso_time(done))
    audit(req, machine, "destroy", at=done)
    return no_content()


# --- actions ---------------------------------------------------------------------------------


def unallocated(machine: dict[str, Any], action: str) -> None:
    """VMAPI refuses every ?action= call on a VM still being provisioned (vms.js updateVm())."""
    if machine.get("state") == "provisioning":
        raise ApiError(
            409,
            "UnallocatedVM",
            f"Cannot call {action} for a VM that has not been provisioned yet",
        )


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
    unallocated(machine, action)
    state = machine.get("state")
    now = req.sim.clock.now()
    if state not in allowed:
        # VMAPI queues the job anyway; its ensure_vm_state step fails it ("Cannot stop a VM from
        # a 'stopped' state"): nothing changes and the audit trail records a failure.
        audit(req, machine, action, at=now + seconds, success=False)
        return
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
    unallocated(machine, "reboot")
    done = req.sim.clock.now() + req.sim.settings.reboot_seconds
    # as for stop and start, the job fails unless the VM is running (ensure_vm_state)
    audit(req, machine, "reboot", at=done, success=machine.get("state") == "running")


def _resize(req: SimRequest, machine: dict[str, Any]) -> None:
    # before 9.8.3 the server refused every hardware VM (machine.type === 'virtualmachine')
    bhyve = machine.get("brand") == "bhyve" and req.sim.settings.has("bhyve_resize")
    if machine.get("brand") in _HVM_BRANDS and not bhyve:
        raise invalid("resize is not supported for KVM virtualmachines")
    ref = req.param("package")
    if not ref:
        raise ApiError(409, "MissingParameter", "package must be specified")
    package = find_package(req.dc, str(ref), active_only=False)
    if package is None:
        raise invalid(f"{ref} is not a valid package")
    if not package.get("_sim_active", package.get("active", True)):
        raise invalid(f"{ref} is inactive. Must use an active package")
    from smartdc.testing.resources.images import find_image

    image = find_image(req.dc, str(machine.get("image"))) or {}
    requirements = image.get("requirements") or {}
    ram = int(package["memory"])
    if requirements.get("min_ram") and int(requirements["min_ram"]) > ram:
        raise invalid(
            f"Package RAM ({ram}) is less than allowed by the image ({requirements['min_ram']})"
        )
    if requirements.get("max_ram") and int(requirements["max_ram"]) < ram:
        raise invalid(
            f"Package RAM ({ram}) is more than allowed by the image ({requirements['max_ram']})"
        )
    if machine.get("brand") == "bhyve" and not package.get("flexible_disk"):
        raise invalid("Resizing to a package without flexible disk space is not supported")
    limits.check(req, image, package, resized=machine)  # lib/machines.js resize(): allowResize
    unallocated(machine, "update")
    machine.update(package=package["name"], memory=package["memory"], disk=package["disk"])
    if machine.get("brand") == "bhyve":  # only to a flexible_disk package (checked above)
        machine["flexible"] = True
    touch(req, machine)
    audit(req, machine, "resize")


def _rename(req: SimRequest, machine: dict[str, Any]) -> None:
    name = req.param("name")
    if not name:
        raise ApiError(409, "MissingParameter", "New name must be specified")
    name = str(name)
    if create_params.js_length(name) > 189:
        raise invalid("Name cannot be longer than 189 characters.")
    unallocated(machine, "update")
    # sdc-vmapi validateUpdateVmParams(): validators.alias, then validateAlias() (another live
    # machine of the account with that name); CloudAPI's rename() passes the error on
    problems = create_params.alias_problems(name)
    if any(
        other is not machine
        and other.get("name") == name
        and settle(other, req.sim.clock.now()).get("state") not in ("deleted", "failed")
        for other in machines_of(req).values()
    ):
        problems.append(dict(create_params.DUPLICATE_ALIAS))
    if problems:
        message = "Invalid VM update parameters"
        body = {"code": "ValidationFailed", "message": message, "errors": problems}
        raise ApiError(409, "ValidationFailed", message, body=body)
    machine["name"] = name
    touch(req, machine)
    audit(req, machine, "rename")


def _setter(field: str, value: bool, action: str) -> Any:
    def apply(req: SimRequest, machine: dict[str, Any]) -> None:
        if machine.get(field) is value:
            return  # already so: the server answers 202 without asking VMAPI
        unallocated(machine, "update")
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
    # the server's audit log has no name for firewall updates: they are listed as "unknown"
    "enable_firewall": _setter("firewall_enabled", True, "unknown"),
    "disable_firewall": _setter("firewall_enabled", False, "unknown"),
    "enable_deletion_protection": _setter(
        "deletion_protection", True, "enable_deletion_protection"
    ),
    "disable_deletion_protection": _setter(
        "deletion_protection", False, "disable_deletion_protection"
    ),
}


def machine_action(req: SimRequest) -> SimResponse:
    action = req.param("action")
    machine = find_machine(req, allow_deleted=True)  # an unknown machine is 404 first
    if not action:
        raise ApiError(409, "MissingParameter", "action is required")
    apply = _ACTIONS.get(str(action))
    if apply is None:
        raise invalid(f"{action} is not a valid action")
    if machine.get("state") == "deleted":  # each known action answers 410 with the machine
        raise gone(req, machine)
    apply(req, machine)
    return SimResponse(202)


# --- audit and VNC ---------------------------------------------------------------------------


def machine_audit(req: SimRequest) -> SimResponse:
    machine = find_machine(req, allow_deleted=True)
    now = req.sim.clock.now()
    # newest first; entries of the same instant keep the reverse of their recording order
    entries = [(e["_sim_at"], n, e) for n, e in enumerate(machine.get(AUDIT_KEY, []))]
    visible = sorted((t for t in entries if t[0] <= now), key=lambda t: t[:2], reverse=True)
    return ok([{k: v for k, v in e.items() if not k.startswith("_sim")} for *_, e in visible])


def connect_vnc(req: SimRequest) -> SimResponse:
    """sdc-cloudapi lib/endpoints/vnc.js connectVNC(): brand, then state, then the upgrade."""
    from smartdc.testing.resources.changefeed import not_streamable, wants_upgrade
    from smartdc.testing.rfb import serve_console
    from smartdc.testing.websocket import Upgrade, available

    machine = find_machine(req)
    brand = str(machine.get("brand"))
    if brand not in _HVM_BRANDS:
        message = f"Instance type {brand} does not support VNC connections"
        raise ApiError(400, "MachineHasNoVNCError", message)
    if machine.get("state") != "running":
        raise ApiError(400, "MachineStoppedError", "Cannot connect to a stopped machine")
    if not wants_upgrade(req):
        message = "VNC connect endpoint is a websocket and must be upgraded"
        raise ApiError(400, "UpgradeRequiredError", message)
    if not available():
        raise not_streamable()
    name = str(machine.get("name") or machine["id"])
    return SimResponse(
        101, upgrade=Upgrade(lambda ws: serve_console(ws, name), subprotocols=("binary", "rfb"))
    )


# --- bulk creation for benchmarks ------------------------------------------------------------


def populate(dc: DatacenterState, login: str, n: int) -> None:
    """Create ``n`` running machines at once (benchmarks: 100,000 fit in memory in seconds)."""
    machines = dc.table("machines", login)
    images = [i for i in dc.table("images").values() if i.get("type") == "zone-dataset"]
    packages = [p for p in dc.table("packages").values() if p.get("_sim_active", True)]
    network_ids = default_network_ids(dc)
    servers = compute_nodes(dc)
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
            "compute_node": servers[index % len(servers)],
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
    # lib/endpoints/vnc.js registers the route with `version: ['8.4.0']` only.
    router.add(
        "GET",
        "/:account/machines/:machine/vnc",
        "ConnectMachineVNC",
        connect_vnc,
        versions=("8.4.0",),
    )
