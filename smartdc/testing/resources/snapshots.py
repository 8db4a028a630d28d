"""Instance snapshots: CreateMachineSnapshot (``queued`` then ``created``), List/Get, Delete, and
StartMachineFromSnapshot: VMAPI's rollback job, which stops a running instance, rolls it back and
starts it (answered 202 before the job runs; a snapshot that is not there fails the job, leaving
the instance stopped). Snapshots are refused for brands VMAPI cannot snapshot.
"""

from __future__ import annotations

import time
from typing import Any

from smartdc.testing.clock import iso_time
from smartdc.testing.lazy import schedule, settle
from smartdc.testing.resources.common import (
    get_and_head,
    invalid,
    no_content,
    not_found,
    ok,
)
from smartdc.testing.resources.machines import audit, find_machine, touch, unallocated
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse

SNAPSHOTS_KEY = "_sim_snapshots"


def _snapshots(req: SimRequest, machine: dict[str, Any]) -> dict[str, dict[str, Any]]:
    snapshots: dict[str, dict[str, Any]] = machine.setdefault(SNAPSHOTS_KEY, {})
    now = req.sim.clock.now()
    for snapshot in snapshots.values():
        settle(snapshot, now)
    return snapshots


def _render(snapshot: dict[str, Any]) -> dict[str, Any]:
    if snapshot.get("state") == "deleted":
        # the snapshot is gone, only its job remains: the server knows just the name
        return {"name": snapshot["name"], "state": "deleted"}
    return {k: v for k, v in snapshot.items() if not k.startswith("_sim")}


# brands VMAPI can snapshot (canSnapshot in sdc-vmapi lib/endpoints/vms.js)
SNAPSHOT_BRANDS = ("joyent", "joyent-minimal", "lx", "bhyve")


def _check_brand(machine: dict[str, Any]) -> None:
    brand = machine.get("brand")
    if brand not in SNAPSHOT_BRANDS:
        raise ApiError(
            409,
            "BrandNotSupported",
            f'snapshots are not supported for VMs of brand "{brand}"',
        )


def create_snapshot(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    if machine.get("brand") == "bhyve":  # unless the DC enables them; the simulator does not
        raise invalid("Snapshots of bhyve VMs are not allowed")
    unallocated(machine, "create_snapshot")  # VMAPI checks this before the brand
    _check_brand(machine)
    now = req.sim.clock.now()
    name = req.param("name") or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    name = str(name)
    snapshots = _snapshots(req, machine)
    if name in snapshots and snapshots[name].get("state") != "deleted":
        raise invalid(f"snapshot {name} already exists")
    stamp = iso_time(now)
    snapshot: dict[str, Any] = {
        "name": name,
        "state": "queued",
        "size": 0,
        "created": stamp,
        "updated": stamp,
    }
    schedule(snapshot, now + req.sim.settings.snapshot_seconds, state="created", size=1024)
    snapshots[name] = snapshot
    audit(req, machine, "create_snapshot", at=now + req.sim.settings.snapshot_seconds)
    # the server answers only the name and state, and sets no Location header
    return SimResponse(201, {"name": name, "state": "queued"})


def _find(req: SimRequest, message: str) -> tuple[dict[str, Any], dict[str, Any]]:
    machine = find_machine(req)
    name = req.params["name"]
    snapshot = _snapshots(req, machine).get(name)
    if snapshot is None:
        raise not_found(message)
    return machine, snapshot


def list_snapshots(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    return ok([_render(s) for s in _snapshots(req, machine).values() if s["state"] != "deleted"])


def get_snapshot(req: SimRequest) -> SimResponse:
    return ok(_render(_find(req, "Snapshot does not exist")[1]))


def delete_snapshot(req: SimRequest) -> SimResponse:
    machine, snapshot = _find(req, f"{req.params['name']} not found")
    if snapshot["state"] == "deleted":
        raise not_found(f"{snapshot['name']} not found")
    done = req.sim.clock.now() + req.sim.settings.snapshot_seconds
    schedule(snapshot, done, state="deleted")
    audit(req, machine, "delete_snapshot", at=done)
    return no_content()


def start_from_snapshot(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    unallocated(machine, "rollback_snapshot")  # VMAPI checks this before the brand
    _check_brand(machine)
    state = machine.get("state")
    if state not in ("running", "stopped"):  # VMAPI queues the job; it fails, nothing changes
        done = req.sim.clock.now() + req.sim.settings.start_seconds
        audit(req, machine, "rollback_snapshot", at=done, success=False)
        return SimResponse(202)
    snapshot = _snapshots(req, machine).get(req.params["name"])
    usable = snapshot is not None and snapshot.get("state") == "created"
    now = req.sim.clock.now()
    settings = req.sim.settings
    at = now
    if state == "running":  # the job stops it first
        machine["state"] = "stopping"
        touch(req, machine)
        at += settings.stop_seconds
        schedule(machine, at, state="stopped", updated=iso_time(at))
    if usable:  # rolled back, then started
        at += settings.start_seconds
        schedule(machine, at, state="running", updated=iso_time(at))
    else:  # vmadm finds no such snapshot: the job fails with the instance stopped
        at += settings.start_seconds
    audit(req, machine, "rollback_snapshot", at=at, success=usable)
    return SimResponse(202)


def register(router: Router) -> None:
    base = "/:account/machines/:machine/snapshots"
    router.add("POST", base, "CreateMachineSnapshot", create_snapshot)
    get_and_head(router, base, "ListMachineSnapshots", "HeadMachineSnapshots", list_snapshots)
    get_and_head(router, base + "/:name", "GetMachineSnapshot", "HeadMachineSnapshot", get_snapshot)
    router.add("POST", base + "/:name", "StartMachineFromSnapshot", start_from_snapshot)
    router.add("DELETE", base + "/:name", "DeleteMachineSnapshot", delete_snapshot)
