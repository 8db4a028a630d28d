"""Disks of bhyve instances: List/Get/Create (202 without ``pci_slot``, 200 + Disk with one)/Resize/
Delete. Every write needs the instance stopped (409 InvalidArgument "VM must be stopped", as the
server says it); at most 8 disks. A disk's state is ``creating``/``resizing``/``deleting`` while its
job runs (``settings.stop_seconds``), otherwise the instance's state.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from smartdc.testing.lazy import schedule, settle
from smartdc.testing.resources.common import (
    get_and_head,
    invalid,
    no_content,
    not_found,
    vm_parameters_invalid,
)
from smartdc.testing.resources.machines import audit, find_machine
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse

DISKS_KEY = "_sim_disks"
MAX_DISKS = 8
_PCI_SLOT = re.compile(r"^[0-9]{1,3}:[0-9]{1,2}:[0-7]$")
_JOB_STATES = ("creating", "resizing", "deleting")


def _disks(req: SimRequest, machine: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The disks of a bhyve machine (none for other brands), settled to now."""
    if machine.get("brand") != "bhyve":
        return {}
    disks: dict[str, dict[str, Any]] = machine.setdefault(DISKS_KEY, {})
    if not disks:
        boot = _disk(machine, "0:4:0", int(machine.get("disk", 10240)), boot=True)
        disks[boot["id"]] = boot
    now = req.sim.clock.now()
    for disk_id, disk in list(disks.items()):
        settle(disk, now)
        if disk.get("_sim_gone"):
            del disks[disk_id]
        elif disk["state"] not in _JOB_STATES:
            disk["state"] = machine.get("state", "stopped")
    return disks


def _disk(machine: dict[str, Any], slot: str, size: int, *, boot: bool = False) -> dict[str, Any]:
    # like the server, a disk's id is derived from the instance and the PCI slot
    disk_id = str(uuid.uuid5(uuid.UUID(machine["id"]), slot))
    return {
        "id": disk_id,
        "pci_slot": slot,
        "size": size,
        "boot": boot,
        "state": machine.get("state", "stopped"),
    }


def initial_disks(
    machine: dict[str, Any],
    image: dict[str, Any],
    package: dict[str, Any],
    requested: Any,
    *,
    check_block_size: bool = True,
) -> list[dict[str, Any]]:
    """The disks a new bhyve or KVM instance gets, checked as CloudAPI's getCreateOptions checks
    them (sdc-cloudapi lib/machines.js): requested ``disks`` (or the package's) on a flexible-disk
    package, else the image's disk and one of the package's size; the first disk is the boot disk.
    ``block_size`` is checked from 9.19 (``check_block_size``); older servers pass it on unchecked.
    """
    brand = machine["brand"]
    flexible = bool(package.get("flexible_disk")) and brand == "bhyve"
    if requested and not flexible:
        raise invalid(
            "The use of `disks` is only supported if the package has the flexible_disk attr"
            " set to true"
        )
    quota = int(package["disk"])
    image_size = int(image.get("image_size") or 0)
    if not flexible:
        sizes: list[Any] = [image_size, quota]
        wanted: list[dict[str, Any]] = [{}, {}]
    elif requested or package.get("disks"):
        wanted = requested or package["disks"]
        if not isinstance(wanted, list) or not all(isinstance(d, dict) for d in wanted):
            raise _vm_invalid("disks", "Invalid parameter")
        sizes = _flexible_sizes(wanted, quota, image_size, check_block_size)
    else:
        sizes = [image_size, quota - image_size]
        wanted = [{}, {}]
    disks = []
    for index, (size, asked) in enumerate(zip(sizes, wanted, strict=True)):
        slot = str(asked.get("pci_slot") or f"0:4:{index}")
        disk = _disk(machine, slot, int(size), boot=index == 0)
        if asked.get("id"):
            disk["id"] = str(asked["id"])
        if "block_size" in asked:  # shown as asked (CloudAPI's translate())
            disk["block_size"] = asked["block_size"]
        disks.append(disk)
    return disks


def _flexible_sizes(
    wanted: list[dict[str, Any]], quota: int, image_size: int, check_block_size: bool
) -> list[Any]:
    if len(wanted) > MAX_DISKS:
        raise invalid(f"A maximum of {MAX_DISKS} disks per VM are supported")
    for index, disk in enumerate(wanted):
        if "block_size" in disk and check_block_size:
            if index == 0 or "image_uuid" in disk:  # the boot disk always has the image
                raise invalid("Cannot set block_size and image_uuid.")
            size = disk["block_size"]
            if not isinstance(size, int) or not 512 <= size <= 131072 or size & (size - 1):
                raise invalid(
                    f"Invalid block_size: {size} on disk: {index}. Must be 512-131072 and a"
                    " power of 2."
                )
    sizes: list[Any] = []
    remaining_at: int | None = None
    for index, disk in enumerate(wanted):
        size = disk.get("size")
        if size == "remaining":
            if remaining_at is not None:
                raise invalid("Only one disk.size can be set to `remaining`")
            remaining_at = index
        elif size is None and index == 0:
            size = image_size
        elif index > 0 and size is None:
            # VMAPI's check of the disks CloudAPI passes on
            raise _vm_invalid(f"disks.{index}.size", None, "MissingParameter")
        elif isinstance(size, bool) or not isinstance(size, int):
            raise _vm_invalid(f"disks.{index}.size", "Not Allowed")
        elif size <= 0:
            raise _vm_invalid(f"disks.{index}.size", "Disk size must be positive")
        sizes.append(size)
    total = sum(s for s in sizes if s != "remaining")
    if remaining_at is not None:
        left = quota - total
        if remaining_at == 0 and image_size > left:
            raise invalid("The size of the disks must not be greater than the package quota")
        sizes[remaining_at] = left
        total += left
    if sizes[0] < image_size:
        raise invalid("Size must be greater than or equal to image size for the boot disk")
    if total > quota:
        raise invalid("The size of the disks must not be greater than the package quota")
    return sizes


def _vm_invalid(field: str, message: str | None, code: str = "Invalid") -> ApiError:
    """VMAPI's 409 ValidationFailed for a VM parameter, as CloudAPI passes it on (VMAPI's
    missing-parameter entries carry no message)."""
    entry = {"field": field, "code": code}
    if message is not None:
        entry["message"] = message
    return vm_parameters_invalid([entry])


def _stopped(machine: dict[str, Any]) -> None:
    if machine.get("state") != "stopped":
        raise invalid("VM must be stopped")


def _size(req: SimRequest, *, allow_remaining: bool) -> Any:
    size = req.param("size")
    if size in (None, "", 0):
        raise ApiError(409, "MissingParameter", "size must be specified")
    if allow_remaining and size == "remaining":
        return size
    try:
        return int(size)
    except (TypeError, ValueError):
        raise invalid("size must be a number") from None


def _render(disk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in disk.items() if not k.startswith("_sim")}


def _find(req: SimRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    machine = find_machine(req)
    disk = _disks(req, machine).get(req.params["disk"])
    if disk is None:
        raise not_found("disk not found")
    return machine, disk


def list_disks(req: SimRequest) -> SimResponse:
    disks = [_render(d) for d in _disks(req, find_machine(req)).values()]
    return SimResponse(200, disks, {"x-resource-count": str(len(disks))})


def get_disk(req: SimRequest) -> SimResponse:
    return SimResponse(200, _render(_find(req)[1]))


def create_disk(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    if machine.get("brand") != "bhyve":
        raise invalid("Disk Creation is supported only for BHYVE VMs")
    disks = _disks(req, machine)
    _stopped(machine)
    size = _size(req, allow_remaining=True)
    slot = req.param("pci_slot")
    if slot is not None and not _PCI_SLOT.match(str(slot)):
        raise invalid("pci_slot has wrong format")
    if len(disks) >= MAX_DISKS:
        raise invalid(f"A maximum of {MAX_DISKS} disks per VM are supported")
    if size == "remaining":
        # packages with flexible disk space are not simulated
        raise invalid(
            "remaining is only supported for VMs created with flexible_disk_size packages"
        )
    used = {d["pci_slot"] for d in disks.values()}
    chosen = (
        str(slot) if slot else next(f"0:{5 + i}:0" for i in range(32) if f"0:{5 + i}:0" not in used)
    )
    if chosen in used:
        raise invalid(f"PCI slot {chosen} is in use")
    disk = _disk(machine, chosen, size)
    disk["state"] = "creating"
    schedule(disk, req.sim.clock.now() + req.sim.settings.stop_seconds, state="stopped")
    disks[disk["id"]] = disk
    audit(req, machine, "create_disk")
    if not slot:
        return SimResponse(202)
    where = f"/{req.account.login}/machines/{machine['id']}/disks/{disk['id']}"
    return SimResponse(200, _render(disk), {"Location": where})


def resize_disk(req: SimRequest) -> SimResponse:
    machine, disk = _find(req)
    _stopped(machine)
    size = _size(req, allow_remaining=False)
    shrink = req.param("dangerous_allow_shrink")
    if shrink is not None and not isinstance(shrink, bool):
        raise invalid("dangerous_allow_shrink must be a boolean")
    if size < disk["size"] and not shrink:
        raise invalid("Reducing disk size is a dangerous operation (dangerous_allow_shrink)")
    disk.update(size=size, state="resizing")
    schedule(disk, req.sim.clock.now() + req.sim.settings.stop_seconds, state="stopped")
    audit(req, machine, "resize_disk")
    return SimResponse(200, _render(disk))


def delete_disk(req: SimRequest) -> SimResponse:
    machine, disk = _find(req)
    _stopped(machine)
    if disk.get("boot"):
        raise invalid("the boot disk cannot be deleted")
    disk["state"] = "deleting"
    schedule(disk, req.sim.clock.now() + req.sim.settings.stop_seconds, _sim_gone=True)
    audit(req, machine, "delete_disk")
    return no_content()


# The API version these routes need (sdc-cloudapi lib/endpoints/disks.js registers them from it).
MIN_VERSION = "7.2.0"


def register(router: Router) -> None:
    base = "/:account/machines/:machine/disks"
    get_and_head(
        router, base, "ListMachineDisks", "ListMachineDisks", list_disks, min_version=MIN_VERSION
    )
    router.add("POST", base, "CreateMachineDisk", create_disk, min_version=MIN_VERSION)
    get_and_head(
        router,
        base + "/:disk",
        "GetMachineDisk",
        "GetMachineDisk",
        get_disk,
        min_version=MIN_VERSION,
    )
    router.add("POST", base + "/:disk", "ResizeMachineDisk", resize_disk, min_version=MIN_VERSION)
    router.add("DELETE", base + "/:disk", "DeleteMachineDisk", delete_disk, min_version=MIN_VERSION)
