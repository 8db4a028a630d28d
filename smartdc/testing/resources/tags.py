"""Instance tags: AddMachineTags (merge), ReplaceMachineTags, ListMachineTags, GetMachineTag (JSON
string, or raw text with ``Accept: text/plain``), DeleteMachineTag, DeleteMachineTags.
"""

from __future__ import annotations

import re
from typing import Any

from smartdc.testing.resources import triton_tags
from smartdc.testing.resources.common import get_and_head, invalid, no_content, not_found, ok
from smartdc.testing.resources.machines import audit, find_machine, job_done_at, touch
from smartdc.testing.resources.vmapi import js_keys
from smartdc.testing.router import ApiError, Router, SimRequest, SimResponse

# request parameters the server never takes as tags (path names and VMAPI's own fields)
_NOT_TAGS = frozenset({"account", "machine", "uuid", "owner_uuid", "context", "image"})
# tags only Docker may set (VMAPI's default docker_tag_re)
_DOCKER_TAG = re.compile(
    r"^(?:sdc_docker$|docker:label:triton\.|docker:label:(?:com|io|org)\.docker(?:project)?\.)"
)


def _refused(doing: str, field: str, message: str) -> ApiError:
    """VMAPI's ValidationFailed (first problem only), as CloudAPI's vmapiErrorWrap passes it."""
    return ApiError(
        409,
        "ValidationFailed",
        f"error {doing} tags: Invalid tag parameters",
        body={
            "code": "ValidationFailed",
            "message": f"error {doing} tags: Invalid tag parameters",
            "errors": [{"field": field, "code": "Invalid", "message": message}],
        },
    )


def _tag_body(req: SimRequest, doing: str) -> dict[str, Any]:
    body = req.body if req.body is not None else {}
    if not isinstance(body, dict):
        raise invalid("tags must be an object")
    merged = {k: v for k, v in req.query.items() if k not in _NOT_TAGS}
    merged.update((k, v) for k, v in body.items() if k not in _NOT_TAGS)
    if not merged:  # sdc-vmapi lib/endpoints/metadata.js: nothing to set
        raise _refused(doing, "tags", "Invalid parameter")
    keys = js_keys(merged)  # JavaScript's for-in order
    for key in keys:  # VMAPI validMetadata(): JSON scalars only
        if not isinstance(merged[key], str | int | float | bool):
            raise _refused(doing, f"tags.{key}", "Forbidden Data Type")
    for key in keys:  # then validTags(): triton-tags, and Docker's tags kept for Docker
        problem = None
        if triton_tags.is_triton_tag(key):
            problem = triton_tags.validate(key, merged[key])
        elif _DOCKER_TAG.match(key):
            problem = f'Special tag "{key}" not supported'
        if problem is not None:
            raise _refused(doing, "tags", problem)
    return merged


def add_tags(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    tags = machine.setdefault("tags", {})
    tags.update(_tag_body(req, "adding"))
    touch(req, machine)
    audit(req, machine, "set_tags", at=job_done_at(req))
    return ok(dict(tags), **{"x-job-uuid": req.sim.new_uuid()})


def replace_tags(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    machine["tags"] = _tag_body(req, "replacing")
    touch(req, machine)
    audit(req, machine, "replace_tags", at=job_done_at(req))
    # lib/tags.js replace(): the job's uuid, as add() sends it
    return ok(dict(machine["tags"]), **{"x-job-uuid": req.sim.new_uuid()})


def list_tags(req: SimRequest) -> SimResponse:
    return ok(dict(find_machine(req).get("tags", {})))


def get_tag(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    tag = req.params["tag"]
    tags = machine.get("tags", {})
    if tag not in tags:
        raise not_found(f'tag "{tag}" not found')
    # CloudAPI answers a value that is not a string (a number, a boolean) as an empty string
    value = tags[tag] if isinstance(tags[tag], str) else ""
    if "text/plain" in req.headers.get("accept", ""):
        return SimResponse(200, value, content_type="text/plain")
    return SimResponse(200, value, content_type="application/json")


def delete_tag(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    tag = req.params["tag"]
    tags = machine.get("tags", {})
    if tag not in tags:
        raise not_found(f'tag "{tag}" not found')
    del tags[tag]
    touch(req, machine)
    audit(req, machine, "remove_tags", at=job_done_at(req))
    return no_content()


def delete_tags(req: SimRequest) -> SimResponse:
    machine = find_machine(req)
    machine["tags"] = {}
    touch(req, machine)
    audit(req, machine, "remove_tags", at=job_done_at(req))
    return no_content()


def register(router: Router) -> None:
    base = "/:account/machines/:machine/tags"
    router.add("POST", base, "AddMachineTags", add_tags)
    router.add("PUT", base, "ReplaceMachineTags", replace_tags)
    get_and_head(router, base, "ListMachineTags", "HeadmachineTags", list_tags)
    router.add("DELETE", base, "DeleteMachineTags", delete_tags)
    get_and_head(router, base + "/:tag", "GetMachineTag", "HeadMachineTag", get_tag)
    router.add("DELETE", base + "/:tag", "DeleteMachineTag", delete_tag)
