"""NFS volumes: CreateVolume (``creating`` then ``ready``), ListVolumes (name glob, state, type,
size), GetVolume, UpdateVolume (rename, answers the volume), DeleteVolume (refused while a machine
references it), ListVolumeSizes.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from smartdc.testing.clock import iso_time
from smartdc.testing.lazy import schedule, settle
from smartdc.testing.resources.common import created, invalid, location, login_of, no_content, ok
from smartdc.testing.resources.fabrics import ensure_defaults
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse

SIZES = (10240, 20480, 30720, 40960, 51200, 61440, 71680, 81920, 92160, 102400)
_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
_NAME_SEARCH = re.compile(r"^\*?[\w.-]+\*?$")
_UUID = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")
_LIST_PARAMS = {"name", "predicate", "size", "state", "type"}
_STATES = ("creating", "ready", "failed", "deleting")


def _volumes(req: SimRequest) -> dict[str, dict[str, Any]]:
    volumes: dict[str, dict[str, Any]] = req.dc.table("volumes", login_of(req))
    now = req.sim.clock.now()
    for volume in volumes.values():
        settle(volume, now)
    if volumes:
        # `refs`: the machines (not destroyed) that mount the volume, as of now
        refs: dict[str, list[str]] = {}
        for machine in req.dc.table("machines", login_of(req)).values():
            for volume_id in machine.get("_sim_volumes", ()):
                if settle(machine, now).get("state") != "deleted":
                    refs.setdefault(volume_id, []).append(machine["id"])
        for volume_id, volume in volumes.items():
            volume["refs"] = refs.get(volume_id, [])
    return volumes


def _find(req: SimRequest) -> dict[str, Any]:
    volume_id = req.params["id"]
    if not _UUID.match(volume_id):
        raise invalid(f"Invalid volume ID: {volume_id}. Volume ID should match {_UUID.pattern}")
    volume = _volumes(req).get(volume_id)
    if volume is None or volume.get("state") == "deleted":
        raise ApiError(404, "VolumeNotFound", f"volume {req.params['id']} not found")
    return volume


def _check_name(name: Any, req: SimRequest, skip: str | None = None) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise invalid(f"Invalid volume name: {name}. Volume name should match {_NAME.pattern}")
    if len(name) > 256:
        raise invalid("Invalid volume name length: volume name must be at most 256 long")
    for other in _volumes(req).values():
        if other["name"] == name and other["id"] != skip and other.get("state") != "deleted":
            raise ApiError(409, "VolumeAlreadyExists", f"volume {name} already exists")


def create_volume(req: SimRequest) -> SimResponse:
    kind = req.param("type")
    if kind != "tritonnfs":  # required: the server has no default type
        raise invalid(f"Invalid volume type: {kind}. Volume type should be one of: tritonnfs")
    volume_id = req.sim.new_uuid()
    given_name = req.param("name")
    if given_name is not None:
        _check_name(given_name, req)
    name = str(given_name or f"volume-{volume_id[:8]}")
    size = req.param("size")
    if size is None:
        size = SIZES[0]
    elif isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise invalid(f"Invalid volume size: {size}")
    if size not in SIZES:
        raise ApiError(
            409,
            "VolumeSizeNotAvailable",
            f"Volume size {size} is not available",
        )
    networks = req.param("networks")
    if networks is not None and (
        not isinstance(networks, list) or not all(_UUID.match(str(n)) for n in networks)
    ):
        raise invalid(f"Invalid volume network: {networks}")
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
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            raise invalid("Invalid tags: tags must be an object of strings")
        volume["tags"] = dict(tags)
    schedule(volume, now + req.sim.settings.volume_create_seconds, state="ready")
    req.dc.table("volumes", login_of(req))[volume_id] = volume
    return created(volume, location(login_of(req), "volumes", volume_id))


def _predicate(raw: str) -> Any:
    try:
        predicate = json.loads(raw)
    except ValueError:
        raise invalid("predicate must be JSON") from None
    return predicate


def _fields(predicate: Any) -> set[str]:
    """The volume fields a predicate names (refused when also given as a parameter)."""
    if not isinstance(predicate, dict) or len(predicate) != 1:
        raise invalid(f"invalid predicate: {json.dumps(predicate)}")
    ((op, args),) = predicate.items()
    if op in ("and", "or"):
        if not isinstance(args, list):
            raise invalid(f"invalid predicate: {json.dumps(predicate)}")
        return set().union(*(_fields(a) for a in args))
    if op not in ("eq", "ne") or not isinstance(args, list) or len(args) != 2:
        raise invalid(f"invalid predicate: {json.dumps(predicate)}")
    field = str(args[0])
    if field not in ("name", "billing_id", "type", "state", "id") and not field.startswith("tags."):
        raise invalid(f"invalid predicate field: {field}")
    return {field}


def _holds(predicate: Any, volume: dict[str, Any]) -> bool:
    ((op, args),) = predicate.items()
    if op == "and":
        return all(_holds(a, volume) for a in args)
    if op == "or":
        return any(_holds(a, volume) for a in args)
    field, wanted = str(args[0]), str(args[1])
    value = (
        volume.get("tags", {}).get(field[5:]) if field.startswith("tags.") else volume.get(field)
    )
    matched = value is not None and fnmatch.fnmatchcase(str(value), wanted)
    return matched if op == "eq" else not matched


def list_volumes(req: SimRequest) -> SimResponse:
    unknown = sorted(set(req.query) - _LIST_PARAMS)
    if unknown:
        raise invalid(", ".join(f"invalid parameter: {name}" for name in unknown))
    query = req.query
    if "name" in query and not _NAME_SEARCH.match(query["name"]):
        raise invalid("invalid value for name search parameter")
    if "size" in query and not re.match(r"^[1-9][0-9]*$", query["size"]):
        raise invalid("invalid value for size search parameter, must match /^[1-9][0-9]*$/")
    if "state" in query and query["state"] not in _STATES:
        raise invalid(f"invalid value for state search parameter: {query['state']}")
    predicate = _predicate(query["predicate"]) if "predicate" in query else None
    if predicate is not None:
        repeated = sorted(_fields(predicate) & (set(query) - {"predicate"}))
        if repeated:
            raise invalid(f'predicate has "{repeated[0]}" which is already a search parameter')
    if "type" in query and query["type"] != "tritonnfs":
        raise invalid(
            f"Invalid volume type: {query['type']}. Volume type should be one of: tritonnfs"
        )
    found = []
    for volume in _volumes(req).values():
        state = volume.get("state")
        if state == "deleted":
            continue
        # failed volumes are hidden unless a state or a predicate is given
        if state == "failed" and "state" not in query and predicate is None:
            continue
        if predicate is not None and not _holds(predicate, volume):
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
    return SimResponse(200, found, {"x-resource-count": str(len(found))})


def get_volume(req: SimRequest) -> SimResponse:
    return ok(_find(req))


def update_volume(req: SimRequest) -> SimResponse:
    volume = _find(req)
    body = req.body if isinstance(req.body, dict) else {}
    extra = sorted((set(body) | set(req.query)) - {"name"})
    if extra:
        raise invalid(", ".join(f"{name} is an invalid parameter" for name in extra))
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
