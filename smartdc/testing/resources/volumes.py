"""NFS volumes: CreateVolume (``creating`` then ``ready``), ListVolumes (name glob, state, type,
size), GetVolume, UpdateVolume (rename, answers the volume), DeleteVolume (refused while a machine
references it), ListVolumeSizes.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from smartdc.testing.clock import iso_time
from smartdc.testing.lazy import schedule, settle
from smartdc.testing.resources.common import created, invalid, location, login_of, no_content, ok
from smartdc.testing.resources.fabrics import ensure_defaults
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse

SIZES = (10240, 20480, 30720, 40960, 51200, 61440, 71680, 81920, 92160, 102400)
_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
_LIST_PARAMS = {"name", "predicate", "size", "state", "type"}


def _volumes(req: SimRequest) -> dict[str, dict[str, Any]]:
    volumes: dict[str, dict[str, Any]] = req.dc.table("volumes", login_of(req))
    now = req.sim.clock.now()
    for volume in volumes.values():
        settle(volume, now)
    return volumes


def _find(req: SimRequest) -> dict[str, Any]:
    volume = _volumes(req).get(req.params["id"])
    if volume is None or volume.get("state") == "deleted":
        raise ApiError(404, "VolumeNotFound", f"volume {req.params['id']} not found")
    return volume


def _check_name(name: str, req: SimRequest, skip: str | None = None) -> None:
    if not _NAME.match(name) or len(name) > 256:
        raise invalid(f"invalid volume name: {name}")
    for other in _volumes(req).values():
        if other["name"] == name and other["id"] != skip and other.get("state") != "deleted":
            raise ApiError(409, "VolumeAlreadyExists", f"volume {name} already exists")


def create_volume(req: SimRequest) -> SimResponse:
    kind = req.param("type") or "tritonnfs"
    if kind != "tritonnfs":
        raise invalid("type must be tritonnfs")
    volume_id = req.sim.new_uuid()
    name = str(req.param("name") or f"volume-{volume_id[:8]}")
    _check_name(name, req)
    size = int(req.param("size") or SIZES[0])
    if size not in SIZES:
        raise ApiError(409, "VolumeSizeNotAvailable", f"volume size {size} is not available")
    networks = req.param("networks")
    if networks is None:
        ensure_defaults(req)
        fabric = [
            n["id"] for n in req.dc.table("networks", login_of(req)).values() if n.get("fabric")
        ]
        if not fabric:
            raise ApiError(
                409, "DefaultFabricNetworkNotConfiguredError", "no default fabric network"
            )
        networks = fabric[:1]
    now = req.sim.clock.now()
    volume: dict[str, Any] = {
        "id": volume_id,
        "name": name,
        "owner_uuid": req.account.uuid,
        "type": "tritonnfs",
        "created": iso_time(now),
        "state": "creating",
        "networks": list(networks),
        "refs": [],
        "size": size,
        "filesystem_path": f"10.88.0.{len(_volumes(req)) + 10}:2049/exports/data",
    }
    tags = req.param("tags")
    if tags is not None:
        volume["tags"] = dict(tags)
    schedule(volume, now + req.sim.settings.volume_create_seconds, state="ready")
    req.dc.table("volumes", login_of(req))[volume_id] = volume
    return created(volume, location(login_of(req), "volumes", volume_id))


def list_volumes(req: SimRequest) -> SimResponse:
    unknown = set(req.query) - _LIST_PARAMS
    if unknown:
        raise invalid(f"unknown parameters: {', '.join(sorted(unknown))}")
    found = []
    for volume in _volumes(req).values():
        state = volume.get("state")
        if state == "deleted" or ("state" not in req.query and state == "failed"):
            continue
        if "state" in req.query and state != req.query["state"]:
            continue
        if "name" in req.query and not fnmatch.fnmatchcase(volume["name"], req.query["name"]):
            continue
        if "type" in req.query and volume["type"] != req.query["type"]:
            continue
        if "size" in req.query and str(volume["size"]) != req.query["size"]:
            continue
        found.append(volume)
    return ok(found)


def get_volume(req: SimRequest) -> SimResponse:
    return ok(_find(req))


def update_volume(req: SimRequest) -> SimResponse:
    volume = _find(req)
    body = req.body if isinstance(req.body, dict) else {}
    extra = set(body) - {"name"}
    if extra:
        raise invalid(f"only name can be updated, not {', '.join(sorted(extra))}")
    if "name" in body:
        if volume.get("refs"):
            raise ApiError(409, "VolumeInUse", "a referenced volume cannot be renamed")
        _check_name(str(body["name"]), req, skip=volume["id"])
        volume["name"] = str(body["name"])
    return ok(volume)


def delete_volume(req: SimRequest) -> SimResponse:
    volume = _find(req)
    if volume.get("refs"):
        raise ApiError(
            409, "VolumeInUse", f"volume {volume['id']} is used by {', '.join(volume['refs'])}"
        )
    volume["state"] = "deleting"
    schedule(volume, req.sim.clock.now() + req.sim.settings.delete_seconds, state="deleted")
    return no_content()


def list_sizes(req: SimRequest) -> SimResponse:
    kind = req.query.get("type", "tritonnfs")
    if kind != "tritonnfs":
        raise invalid("type must be tritonnfs")
    return ok([{"size": size, "type": "tritonnfs"} for size in SIZES])


def register(router: Router) -> None:
    router.add("GET", "/:account/volumes", "ListVolumes", list_volumes)
    router.add("POST", "/:account/volumes", "CreateVolume", create_volume)
    router.add("GET", "/:account/volumes/:id", "GetVolume", get_volume)
    router.add("POST", "/:account/volumes/:id", "UpdateVolume", update_volume)
    router.add("DELETE", "/:account/volumes/:id", "DeleteVolume", delete_volume)
    router.add("GET", "/:account/volumesizes", "ListVolumeSizes", list_sizes)
