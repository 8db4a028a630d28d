"""Disks of bhyve instances: List/Get/Create (202 without ``pci_slot``, 200 + Disk with one)/Resize/
Delete; every write needs the instance stopped; at most 8 disks.
"""

from __future__ import annotations

import uuid
from typing import Any

from smartdc.testing.lazy import schedule, settle
from smartdc.testing.resources.common import (
    get_and_head,
    invalid,
    location,
    login_of,
    missing,
    no_content,
    not_found,
    ok,
)
from smartdc.testing.resources.machines import audit, find_machine
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse

DISKS_KEY = "_sim_disks"
MAX_DISKS = 8


def _disks(req: SimRequest, machine: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if machine.get("brand") != "bhyve":
        raise invalid("disks are only available for bhyve instances")
    disks: dict[str, dict[str, Any]] = machine.setdefault(DISKS_KEY, {})
    if not disks:
        boot = _disk(machine, "0:4:0", machine.get("disk", 10240), boot=True)
        disks[boot["id"]] = boot
    now = req.sim.clock.now()
    for disk in disks.values():
        settle(disk, now)
        if disk["state"] not in ("creating", "resizing", "deleting"):
            disk["state"] = machine.get("state", "stopped")
    return disks


def _disk(machine: dict[str, Any], slot: str, size: int, *, boot: bool = False) -> dict[str, Any]:
    disk_id = str(uuid.uuid5(uuid.UUID(machine["id"]), slot))
    return {
        "id": disk_id,
        "pci_slot": slot,
        "size": size,
        "boot": boot,
        "state": machine.get("state", "stopped"),
    }


def _stopped(machine: dict[str, Any]) -> None:
    if machine.get("state") != "stopped":
        raise ApiError(409, "InvalidState", f"Instance {machine['id']} must be stopped")


def _render(disk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in disk.items() if not k.startswith("_sim")}


def _find(req: SimRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    machine = find_machine(req)
    disk = _disks(req, machine).get(req.params["disk"])
    if disk is None:
        raise not_found(f"disk {req.params['disk']} not found")
    return machine, disk


def list_disks(req: SimRequest) -> SimResponse:
    disks = [_render(d) for d in _disks(req, find_machine(req)).values()]
    return SimResponse(200, disks, {"x-resource-count": str(len(disks))})


def get_disk(req: SimRequest) -> SimResponse:
    return ok(_render(_find(req)[1]))


def create_disk(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    disks = _disks(req, machine)
    _stopped(machine)
    size = req.param("size")
    if size is None:
        raise missing("size")
    if len(disks) >= MAX_DISKS:
        raise invalid(f"an instance has at most {MAX_DISKS} disks")
    slot = req.param("pci_slot")
    used = {d["pci_slot"] for d in disks.values()}
    chosen = (
        str(slot) if slot else next(f"0:{5 + i}:0" for i in range(16) if f"0:{5 + i}:0" not in used)
    )
    if chosen in used:
        raise invalid(f"PCI slot {chosen} is in use")
    disk = _disk(machine, chosen, 1024 if size == "remaining" else int(size))
    disk["state"] = "creating"
    schedule(disk, req.sim.clock.now() + req.sim.settings.stop_seconds, state="stopped")
    disks[disk["id"]] = disk
    audit(req, machine, "create_disk")
    if slot:
        return SimResponse(
            200,
            _render(disk),
            {"Location": location(login_of(req), "machines", machine["id"], "disks", disk["id"])},
        )
    return SimResponse(202)


def resize_disk(req: SimRequest) -> SimResponse:
    machine, disk = _find(req)
    _stopped(machine)
    size = req.param("size")
    if size is None:
        raise missing("size")
    if int(size) < disk["size"] and not req.param("dangerous_allow_shrink"):
        raise invalid("shrinking a disk needs dangerous_allow_shrink")
    disk.update(size=int(size), state="resizing")
    schedule(disk, req.sim.clock.now() + req.sim.settings.stop_seconds, state="stopped")
    audit(req, machine, "resize_disk")
    return ok(_render(disk))


def delete_disk(req: SimRequest) -> SimResponse:
    machine, disk = _find(req)
    _stopped(machine)
    if disk.get("boot"):
        raise invalid("the boot disk cannot be deleted")
    del machine[DISKS_KEY][disk["id"]]
    audit(req, machine, "delete_disk")
    return no_content()


def register(router: Router) -> None:
    base = "/:account/machines/:machine/disks"
    get_and_head(router, base, "ListMachineDisks", "ListMachineDisks", list_disks)
    router.add("POST", base, "CreateMachineDisk", create_disk)
    get_and_head(router, base + "/:disk", "GetMachineDisk", "GetMachineDisk", get_disk)
    router.add("POST", base + "/:disk", "ResizeMachineDisk", resize_disk)
    router.add("DELETE", base + "/:disk", "DeleteMachineDisk", delete_disk)
