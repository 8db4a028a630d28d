"""What VMAPI checks before it lists VMs, as CloudAPI hands ListMachines' filters to it.

CloudAPI's own checks come first (sdc-cloudapi lib/machines.js getListOptions(): state, type and
docker, 409 InvalidArgument); everything else is passed to VMAPI unchecked and refused there
(sdc-vmapi lib/common/validation.js validateListVmsParams(): 409 ValidationFailed "Invalid
Parameters" with one ``errors`` entry per bad parameter, in the validators' order).
"""

from __future__ import annotations

import re
from typing import Any

from smartdc.testing.resources.common import invalid
from smartdc.testing.router import ApiError

# sdc-vmapi lib/common/validation.js
ALIAS_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.\-]*\Z")
ALIAS_RE_TEXT = "/^[a-zA-Z0-9][a-zA-Z0-9\\_\\.\\-]*$/"
RAM_RE = re.compile(r"^0\Z|^([1-9][0-9]*\Z)")
RAM_RE_TEXT = "/^0$|^([1-9][0-9]*$)/"
UUID_RE = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\Z")
VALID_VM_BRANDS = ("bhyve", "joyent", "joyent-minimal", "kvm", "lx")
VALID_VM_STATES = ("running", "stopped", "active", "destroyed")
MAX_LIST_VMS_LIMIT = 1000

# sdc-cloudapi lib/machines.js getListOptions(): the CloudAPI state asked for -> VMAPI's state
CLOUDAPI_STATES = {
    "provisioning": "active",
    "stopping": "active",
    "active": "active",
    "stopped": "stopped",
    "running": "running",
    "unknown": "unknown",
    "destroyed": "destroyed",
}
_INDEX_RE = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_TAG_RE = re.compile(r"^tag\..+", re.S)  # lib/machines.js TAG_RE


def invalid_parameters(errors: list[dict[str, Any]]) -> ApiError:
    """VMAPI's 409 ValidationFailed 'Invalid Parameters' (lib/errors.js), as CloudAPI passes it."""
    body = {"code": "ValidationFailed", "message": "Invalid Parameters", "errors": errors}
    return ApiError(409, "ValidationFailed", "Invalid Parameters", body=body)


def _entry(field: str, message: str) -> dict[str, str]:
    return {"field": field, "code": "Invalid", "message": message}


def js_keys(values: dict[str, Any]) -> list[str]:
    """The order of JavaScript's ``for (key in obj)``: array-index keys ascending, then the
    others in insertion order."""
    index = [k for k in values if _INDEX_RE.match(k) and int(k) < 2**32 - 1]
    chosen = set(index)
    return sorted(index, key=int) + [k for k in values if k not in chosen]


def js_parse_int(text: str) -> int | None:
    """JavaScript's ``parseInt(text, 10)``: leading blanks, a sign, then digits (None for NaN)."""
    match = re.match(r"\s*([+-]?\d+)", text)
    return int(match.group(1)) if match else None


def _number_error(value: str, minimum: int, maximum: int | None) -> str | None:
    """validNumber(): parseInt, then the bounds (NaN is outside them)."""
    number = js_parse_int(value)
    inside = number is not None and number >= minimum
    if inside and maximum is not None:
        inside = number is not None and number <= maximum
    if inside:
        return None
    bounds = f">= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
    return f"Not a valid number: number must be {bounds}"


def list_options(query: dict[str, str]) -> dict[str, Any]:
    """getListOptions() then validateListVmsParams(): the VMAPI parameters, or the refusal."""
    opts: dict[str, Any] = {}
    state = query.get("state")
    if state is not None:
        if state not in CLOUDAPI_STATES:
            raise invalid(f"{state} is not a valid state")
        opts["state"] = CLOUDAPI_STATES[state]
    kind = query.get("type")
    if kind is not None:
        if kind not in ("smartmachine", "virtualmachine"):
            raise invalid(f"{kind} is not a valid type")
        opts["type"] = kind  # VMAPI gets it as a predicate on brand
    if query.get("brand"):
        opts["brand"] = query["brand"]
    if query.get("image"):
        opts["image_uuid"] = query["image"]
    docker = query.get("docker")
    if docker is not None:
        if docker not in ("true", "false"):
            raise invalid(f"{docker} is not a valid boolean")
        opts["docker"] = docker == "true"
    opts["limit"] = query.get("limit") or "1000"
    if query.get("memory"):
        opts["ram"] = query["memory"]
    if query.get("name"):
        opts["alias"] = query["name"]
    opts["offset"] = query.get("offset") or "0"
    opts["tags"] = {k[4:]: v for k, v in query.items() if _TAG_RE.match(k)}
    if not query.get("tombstone") and "state" not in opts:
        opts["state"] = "active"
    if query.get("tags") == "*":
        # every other option is replaced (list()): only the account's tagged VMs
        return {"any_tag": True, "limit": "1000", "offset": "0", "tags": {}}
    errors: list[dict[str, str]] = []
    alias = opts.get("alias")
    if alias is not None and not ALIAS_RE.match(alias):
        errors.append(_entry("alias", f"String does not match regexp: {ALIAS_RE_TEXT}"))
    brand = opts.get("brand")
    if brand is not None and brand not in VALID_VM_BRANDS:
        errors.append(_entry("brand", "Must be one of: " + ", ".join(sorted(VALID_VM_BRANDS))))
    image = opts.get("image_uuid")
    if image is not None and not UUID_RE.match(image):
        errors.append(_entry("image_uuid", "Invalid UUID"))
    for field, maximum in (("limit", MAX_LIST_VMS_LIMIT), ("offset", None)):
        problem = _number_error(opts[field], 1 if field == "limit" else 0, maximum)
        if problem is not None:
            errors.append(_entry(field, problem))
    ram = opts.get("ram")
    if ram is not None and not RAM_RE.match(ram):
        errors.append(_entry("ram", f"String does not match regexp: {RAM_RE_TEXT}"))
    if "state" in opts and opts["state"] not in VALID_VM_STATES:
        states = ", ".join(sorted(VALID_VM_STATES))
        errors.append(_entry("state", f"Must be one of: {states}"))
    for value in opts["tags"].values():
        if value == "":
            errors.append(_entry("tag", 'Invalid tag value: ""'))
    if errors:
        raise invalid_parameters(errors)
    return opts
