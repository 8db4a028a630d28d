"""CreateMachine's name, metadata, credentials and tags: what CloudAPI makes of them and what VMAPI
refuses.

sdc-cloudapi lib/machines.js getCreateOptions() copies every ``metadata.<key>`` (a key starting
with a word character, not ending in ``_pw``) and ``tag.<key>`` parameter unchanged, so a JSON
body keeps its strings, numbers and booleans; ``password``/``administrator_pw`` become the
``administrator_pw`` metadata and ``metadata.credentials`` the internal metadata (``<user>_pw``).
sdc-vmapi lib/common/validation.js validateCreateVmParams() then checks the fields in its
VM_FIELDS order (alias, customer_metadata, internal_metadata, locality, tags ...) and the alias's
uniqueness last, and refuses with one 409 ValidationFailed "Invalid VM parameters" listing every
problem; CloudAPI's create() adds a reason to the message for some fields (PUBAPI-791).
"""

from __future__ import annotations

import re
from typing import Any

from smartdc.testing.resources import triton_tags
from smartdc.testing.resources.common import vm_parameters_invalid
from smartdc.testing.resources.vmapi import ALIAS_RE, ALIAS_RE_TEXT, js_keys
from smartdc.testing.router import ApiError

# sdc-vmapi lib/common/validation.js: validators.alias (ALIAS_RE, max 189), PW_SUFFIX
ALIAS_MAX = 189
_PW_SUFFIX = re.compile(r"_pw\Z")
# validateAlias(): another live machine of the owner has the name
DUPLICATE_ALIAS = {
    "field": "alias",
    "code": "Duplicate",
    "message": "Already exists for this owner_uuid",
}
# sdc-cloudapi lib/machines.js MD_RE (JavaScript's \w is ASCII)
_MD_KEY = re.compile(r"^[A-Za-z0-9_]")
# sdc-cloudapi lib/machines.js create(): the fields whose refusal names a reason in the message
_REASONS = {"networks", "tags", "customer_metadata", "firewall_enabled"}


def js_length(text: str) -> int:
    """JavaScript's ``String.length`` (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _entry(field: str, message: str) -> dict[str, str]:
    return {"field": field, "code": "Invalid", "message": message}


def is_scalar(value: Any) -> bool:
    """What VMAPI's validMetadata() keeps: a string, a number or a boolean (not null)."""
    return isinstance(value, (str, int, float, bool))


def metadata_problem(field: str, values: dict[str, Any]) -> list[dict[str, str]]:
    """sdc-vmapi validMetadata(): the first key (for-in order) whose value is not a string,
    number or boolean ("Forbidden Data Type"), or, for customer metadata, that ends in ``_pw``
    ("Forbidden Metadata Key"), then for tags the first triton.* tag triton-tags refuses;
    validateCreateVmParams() keeps that first problem only."""
    keys = js_keys(values)
    for key in keys:
        if not is_scalar(values[key]):
            return [_entry(f"{field}.{key}", "Forbidden Data Type")]
        if field == "customer_metadata" and _PW_SUFFIX.search(key):
            return [_entry(f"{field}.{key}", "Forbidden Metadata Key")]
    if field == "tags":  # validTags() (no preventDocker on create): the triton.* tags' rules
        for key in keys:
            problem = (
                triton_tags.validate(key, values[key]) if triton_tags.is_triton_tag(key) else None
            )
            if problem is not None:
                return [_entry("tags", problem)]
    return []


def alias_problems(alias: str) -> list[dict[str, str]]:
    """sdc-vmapi createValidateStringFn('alias', {re: ALIAS_RE, max: 189})."""
    problems = []
    if js_length(alias) > ALIAS_MAX:
        problems.append(_entry("alias", f"String is longer than maximum of {ALIAS_MAX} characters"))
    if not ALIAS_RE.match(alias):
        problems.append(_entry("alias", f"String does not match regexp: {ALIAS_RE_TEXT}"))
    return problems


def customer_metadata(params: dict[str, Any]) -> dict[str, Any]:
    """getCreateOptions(): the ``metadata.<key>`` parameters as they are (JSON types kept)."""
    return {
        key[len("metadata.") :]: value
        for key, value in params.items()
        if key.startswith("metadata.")
        and _MD_KEY.match(key[len("metadata.") :])
        and not _PW_SUFFIX.search(key)
    }


def tags(params: dict[str, Any]) -> dict[str, Any]:
    """getCreateOptions(): the ``tag.<key>`` parameters as they are (TAG_RE: a non-empty key)."""
    return {
        key[len("tag.") :]: value
        for key, value in params.items()
        if key.startswith("tag.") and len(key) > len("tag.")
    }


def credentials(raw: Any) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """getCreateOptions()'s ``metadata.credentials``: a JSON object, or its text (text that is not
    JSON is dropped). Returns the passwords by user (as shown with ``credentials=true``) and
    VMAPI's internal_metadata problem, if any."""
    import json

    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}, []
    if not raw:
        return {}, []
    if isinstance(raw, list):
        # Object.keys() of an array renames its indexes ("0" -> "0_pw") and JSON.stringify()
        # then sends [null, ...]: VMAPI refuses the first index
        return {}, [_entry("internal_metadata.0", "Forbidden Data Type")]
    if not isinstance(raw, dict):
        return {}, []  # a number or true: no keys, nothing stored
    stored = {(k if _PW_SUFFIX.search(k) else f"{k}_pw"): v for k, v in raw.items()}
    problem = metadata_problem("internal_metadata", stored)
    return {_PW_SUFFIX.sub("", k): v for k, v in stored.items()}, problem


def create_refused(errors: list[dict[str, Any]]) -> ApiError:
    """VMAPI's ValidationFailed as sdc-cloudapi lib/machines.js create() passes it on: for each
    error, its reason (if any) joins a list, and the list so far is appended to the message
    again (PUBAPI-791), e.g. "Invalid VM parameters: Invalid machine name"."""
    error = vm_parameters_invalid(errors)
    message = error.message
    reasons: list[str] = []
    for entry in errors:
        field = entry.get("field")
        if field == "alias":
            reasons.append("Invalid machine name")
        elif field in ("ram", "quota") and entry.get("code") == "InsufficientCapacity":
            reasons.append("Insufficient capacity in datacenter to provision machine")
        elif field in _REASONS:
            reasons.append(f"Invalid {field}")
        if reasons:
            message = f"{message}: {'. '.join(reasons)}"
    body = {"code": "ValidationFailed", "message": message, "errors": errors}
    return ApiError(409, "ValidationFailed", message, body=body)
