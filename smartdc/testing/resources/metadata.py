"""Instance metadata: UpdateMachineMetadata (merge), ListMachineMetadata, GetMachineMetadata (a bare
JSON string, or raw text with ``Accept: text/plain``), DeleteMachineMetadata, DeleteAllMachineMetadata.
"""

from __future__ import annotations

from typing import Any

from smartdc.testing.resources.common import (
    get_and_head,
    invalid,
    is_truthy,
    no_content,
    not_found,
    ok,
)
from smartdc.testing.resources.create_params import metadata_problem
from smartdc.testing.resources.machines import audit, find_machine, job_done_at, touch
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse

# DeleteAllMachineMetadata keeps these; DeleteMachineMetadata refuses them
_PROTECTED = ("credentials", "administrator_pw", "root_authorized_keys")
_KEPT_ON_DELETE_ALL = ("root_authorized_keys", "administrator_pw")


# request parameters the server never takes as metadata (path names and VMAPI's own fields)
_NOT_METADATA = frozenset({"account", "machine", "uuid", "owner_uuid", "credentials", "image"})


def _writable(key: str) -> bool:
    # the server also drops any key ending in _pw (passwords live in `credentials`)
    return key not in _NOT_METADATA and not key.endswith("_pw")


def _no_metadatum(key: str) -> str:
    """sdc-vmapi lib/endpoints/metadata.js getMetadata()/deleteMetadata(), passed on by CloudAPI."""
    return f'metadatum "{key}" not found'


def update_metadata(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    if req.body is not None and not isinstance(req.body, dict):
        raise invalid("metadata must be an object")
    body: dict[str, Any] = dict(req.body or {})
    body.update({k: v for k, v in req.query.items() if k not in body})
    wanted = {key: value for key, value in body.items() if _writable(key)}
    # VMAPI addMetadata(): values keep their JSON types; one that is not a string, number or
    # boolean is refused (validMetadata()), and CloudAPI passes the error on unchanged
    problem = metadata_problem("customer_metadata", wanted)
    if problem:
        message = "Invalid metadatum parameters"
        body = {"code": "ValidationFailed", "message": message, "errors": problem}
        raise ApiError(409, "ValidationFailed", message, body=body)
    metadata = machine.setdefault("metadata", {})
    metadata.update(wanted)
    touch(req, machine)
    audit(req, machine, "set_metadata", at=job_done_at(req))
    return ok(dict(metadata), **{"x-job-uuid": req.sim.new_uuid()})


def list_metadata(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    metadata = dict(machine.get("metadata", {}))
    if is_truthy(req.query.get("credentials")):  # lib/metadata.js list()
        metadata["credentials"] = machine.get("_sim_credentials", {})
    return ok(metadata)


def get_metadata(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    key = req.params["key"]
    if key == "credentials":
        return ok(machine.get("_sim_credentials", {}))
    metadata = machine.get("metadata", {})
    if key not in metadata:
        raise not_found(_no_metadatum(key))
    value = metadata[key]
    if not isinstance(value, str):
        # VMAPI answers the bare JSON value; lib/metadata.js get() refuses what is not a string
        raise not_found(f"{key} is not metadata")
    if "text/plain" in req.headers.get("accept", ""):
        return SimResponse(200, str(value), content_type="text/plain")
    return SimResponse(200, value, content_type="application/json")


def delete_metadata(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    key = req.params["key"]
    if key in _PROTECTED:
        raise ApiError(409, "InvalidArgument", f"Metadata key {key} can not be deleted")
    metadata = machine.get("metadata", {})
    if key not in metadata:
        raise not_found(_no_metadatum(key))
    del metadata[key]
    touch(req, machine)
    audit(req, machine, "remove_metadata", at=job_done_at(req))
    return no_content()


def delete_all_metadata(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    metadata = machine.get("metadata", {})
    machine["metadata"] = {k: v for k, v in metadata.items() if k in _KEPT_ON_DELETE_ALL}
    touch(req, machine)
    audit(req, machine, "replace_metadata", at=job_done_at(req))
    return no_content()


def register(router: Router) -> None:
    base = "/:account/machines/:machine/metadata"
    router.add("POST", base, "AddMachineMetadata", update_metadata)
    get_and_head(router, base, "ListMachineMetadata", "HeadMachineMetadata", list_metadata)
    router.add("DELETE", base, "DeleteAllMachineMetadata", delete_all_metadata)
    get_and_head(router, base + "/:key", "GetMachineMetadata", "HeadMachineMetadata", get_metadata)
    router.add("DELETE", base + "/:key", "DeleteMachineMetadata", delete_metadata)
