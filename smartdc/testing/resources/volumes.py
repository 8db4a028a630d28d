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
from smartdc.testing.resources.affinity import parse_rules
from smartdc.testing.resources.common import created, invalid, location, login_of, no_content, ok
from smartdc.testing.resources.fabrics import ensure_defaults
from smartdc.testing.resources.placement import choose_server
from smartdc.testing.router import ApiError, Handler, Router, SimRequest, SimResponse

SIZES = (10240, 20480, 30720, 40960, 51200, 61440, 71680, 81920, 92160, 102400)
_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
# the rules as CloudAPI's messages print them (JavaScript regular expressions)
_NAME_RULE = r"/^[a-z0-9][\w.-]+$/i"
_UUID_RULE = "/^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/"
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


def _js(value: Any) -> str:
    """A value as JavaScript's string concatenation prints it."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join("" if v is None else _js(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _refuse(problems: list[str]) -> None:
    """CloudAPI joins the Error objects of its checks: ``Error: a, Error: b``."""
    if problems:
        raise invalid(", ".join(problems))


def _volapi(status: int, code: str, doing: str, message: str) -> ApiError:
    """A VOLAPI error as CloudAPI passes it on (errors.volapiErrorWrap)."""
    return ApiError(status, code, f"Error when {doing} volume: {message}")


def _id_problems(volume_id: Any) -> list[str]:
    if isinstance(volume_id, str) and _UUID.match(volume_id):
        return []
    return [f"Error: Invalid volume ID: {_js(volume_id)}. Volume ID should match {_UUID_RULE}"]


def _name_problems(name: Any) -> list[str]:
    problems = []
    if not isinstance(name, str):
        problems.append("Error: Invalid volume name: volume name must be a string")
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(
            f"Error: Invalid volume name: {_js(name)}. Volume name should match {_NAME_RULE}"
        )
    if isinstance(name, str) and len(name) > 256:
        problems.append("Error: Invalid volume name length: volume name must be at most 256 long")
    return problems


def _type_problems(kind: Any) -> list[str]:
    if kind == "tritonnfs":
        return []
    return [f"Error: Invalid volume type: {_js(kind)}. Volume type should be one of: tritonnfs"]


def _find(req: SimRequest, doing: str) -> dict[str, Any]:
    volume_id = req.params["id"]
    _refuse(_id_problems(volume_id))
    volume = _volumes(req).get(volume_id)
    if volume is None or volume.get("state") == "deleted":
        raise _volapi(
            404, "VolumeNotFound", doing, f"Volume with uuid {volume_id} could not be found"
        )
    return volume


def _check_unique(req: SimRequest, name: str, doing: str, skip: str | None = None) -> None:
    for other in _volumes(req).values():
        if other["name"] == name and other["id"] != skip and other.get("state") != "deleted":
            raise _volapi(
                409, "VolumeAlreadyExists", doing, f"Volume with name {name} already exists"
            )


def _create_problems(req: SimRequest) -> list[str]:
    """CloudAPI's validateCreateVolumeInput: every problem, in its order."""
    problems: list[str] = []
    name, size = req.param("name"), req.param("size")
    if name is not None:
        problems += _name_problems(name)
    problems += _type_problems(req.param("type"))
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
        problems.append(f"Error: Invalid volume size: {_js(size)}")
    networks = req.param("networks")
    if networks is not None:
        if not isinstance(networks, list):
            problems.append("Error: Invalid networks: networks must be an array")
        elif not all(isinstance(n, str) and _UUID.match(n) for n in networks):
            problems.append(f"Error: Invalid networks: {_js(networks)}")
    affinity = req.param("affinity")
    if affinity and (
        not isinstance(affinity, list) or not all(isinstance(a, str) for a in affinity)
    ):
        problems.append("Error: Invalid affinity: affinity must be an array of strings")
    tags = req.param("tags")
    if tags and (
        not isinstance(tags, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items())
    ):
        problems.append("Error: Invalid tags: tags must be an object of key/value strings")
    return problems


def _volume_networks(req: SimRequest) -> list[str]:
    """The networks asked for, all the account's fabric networks (CloudAPI's
    checkFabricNetworks), or else the account's default fabric network."""
    ensure_defaults(req)
    fabric = [n["id"] for n in req.dc.table("networks", login_of(req)).values() if n.get("fabric")]
    networks = req.param("networks")
    if networks is not None:
        if not all(n in fabric for n in networks):
            raise invalid(f"Invalid networks: {_js(networks)}")
        return list(networks)
    if not fabric:
        raise ApiError(
            409,
            "DefaultFabricNetworkNotConfiguredError",
            "default_network is not configured for account",
        )
    return fabric[:1]


def create_volume(req: SimRequest) -> SimResponse:
    _refuse(_create_problems(req))
    rules = parse_rules(req.param("affinity"))  # CloudAPI's parseAffinityRules
    networks = _volume_networks(req)
    volume_id = req.sim.new_uuid()
    given_name = req.param("name")
    if given_name is not None:
        _check_unique(req, str(given_name), "creating")
    name = str(given_name or f"volume-{volume_id[:8]}")
    size = req.param("size")
    if size is None:
        size = SIZES[0]
    if size not in SIZES:
        raise _volapi(
            409,
            "VolumeSizeNotAvailable",
            "creating",
            f"Volume size {size} is not available. Available sizes are: "
            + ", ".join(str(s) for s in SIZES),
        )
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
        "filesystem_path": f"198.51.100.{(len(_volumes(req)) + 10) % 250}:2049/exports/data",
    }
    tags = req.param("tags")
    if tags is not None:
        volume["tags"] = dict(tags)
    req.dc.table("volumes", login_of(req))[volume_id] = volume
    try:  # VOLAPI has VMAPI create the storage VM, placed by the affinity rules
        choose_server(req.dc, login_of(req), rules=rules)
    except ApiError:
        # the volume stays, failed; VOLAPI's InternalError is not exposed by CloudAPI
        volume["state"] = "failed"
        raise ApiError(500, "CloudApiError", "Error when creating volume") from None
    schedule(volume, now + req.sim.settings.volume_create_seconds, state="ready")
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


def _list_problems(req: SimRequest) -> tuple[list[str], Any]:
    """CloudAPI's validateListVolumesInput: every problem, and the predicate when it is valid."""
    query = req.query
    problems = [f"Error: invalid parameter: {name}" for name in query if name not in _LIST_PARAMS]
    if "name" in query and not _NAME_SEARCH.match(query["name"]):
        problems.append("Error: invalid value for name search parameter")
    if "type" in query:
        problems += _type_problems(query["type"])
    if "size" in query and not re.match(r"^[1-9][0-9]*$", query["size"]):
        problems.append(
            "Error: invalid value for size search parameter, must match /^[1-9][0-9]*$/"
        )
    if "state" in query and query["state"] not in _STATES:
        problems.append(f"Error: Volume state: {query['state']} is invalid")
    predicate = None
    if "predicate" in query:
        try:
            predicate = _predicate(query["predicate"])
            fields = _fields(predicate)
        except ApiError as err:
            problems.append(f"Error: {err.message}")
            predicate = None
        else:
            problems += [
                f'Error: predicate has "{field}" which conflicts with parameter with same name'
                for field in sorted(fields & (set(query) - {"predicate"}))
            ]
    return problems, predicate


def list_volumes(req: SimRequest) -> SimResponse:
    problems, predicate = _list_problems(req)
    _refuse(problems)
    query = req.query
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
        if "state" in query and state != query["state"]:
            continue
        if "name" in query and not fnmatch.fnmatchcase(volume["name"], query["name"]):
            continue
        if "type" in query and volume["type"] != query["type"]:
            continue
        if "size" in query and str(volume["size"]) != query["size"]:
            continue
        found.append(volume)
    return SimResponse(200, found, {"x-resource-count": str(len(found))})


def get_volume(req: SimRequest) -> SimResponse:
    return ok(_find(req, "getting"))


def _in_use(volume: dict[str, Any], doing: str) -> ApiError:
    return _volapi(
        409,
        "VolumeInUse",
        doing,
        f"Volume with name {volume['name']} is used by vms: {', '.join(volume['refs'])}",
    )


def update_volume(req: SimRequest) -> SimResponse:
    """Only the name changes; CloudAPI refuses other query parameters and ignores the rest."""
    name = req.param("name")
    problems = _name_problems(name) if name is not None else []
    problems += _id_problems(req.params["id"])
    problems += [
        f"InvalidArgumentError: {key} is an invalid parameter"
        for key in req.query
        if key not in ("account", "name")
    ]
    _refuse(problems)
    volume = _find(req, "updating")
    if name is not None:
        if volume.get("refs"):
            raise _in_use(volume, "updating")
        _check_unique(req, str(name), "updating", skip=volume["id"])
        volume["name"] = str(name)
    return ok(volume)


def delete_volume(req: SimRequest) -> SimResponse:
    volume = _find(req, "deleting")
    if volume.get("refs"):
        raise _in_use(volume, "deleting")
    volume["state"] = "deleting"
    schedule(volume, req.sim.clock.now() + req.sim.settings.delete_seconds, state="deleted")
    return no_content()


def list_sizes(req: SimRequest) -> SimResponse:
    if "type" in req.query:
        _refuse(_type_problems(req.query["type"]))
    return ok([{"size": size, "type": "tritonnfs"} for size in SIZES])


def _needs_volumes(handler: Handler) -> Handler:
    """Without NFS volumes lib/app.js mounts no volume route; restify then finds only the role-tag
    PUT routes (/:account/:resource_name...) for these paths and answers 405."""

    def guarded(req: SimRequest) -> SimResponse:
        if not req.sim.settings.volumes_enabled:
            raise ApiError(
                405,
                "MethodNotAllowedError",
                f"{req.method} is not allowed",
                headers={"Allow": "PUT"},
            )
        return handler(req)

    return guarded


def register(router: Router) -> None:
    for method, template, name, handler in (
        ("GET", "/:account/volumes", "ListVolumes", list_volumes),
        ("POST", "/:account/volumes", "CreateVolume", create_volume),
        ("GET", "/:account/volumes/:id", "GetVolume", get_volume),
        ("POST", "/:account/volumes/:id", "UpdateVolume", update_volume),
        ("DELETE", "/:account/volumes/:id", "DeleteVolume", delete_volume),
        ("GET", "/:account/volumesizes", "ListVolumeSizes", list_sizes),
    ):
        router.add(method, template, name, _needs_volumes(handler))
