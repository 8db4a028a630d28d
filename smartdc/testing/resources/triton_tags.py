"""Triton's special ``triton.*`` tags, checked as VMAPI checks them (sdc-vmapi
lib/common/validation.js validTags() with triton-tags 1.4.0 lib/index.js validateTritonTag()).

The grammars of ``triton.cns.services`` and ``triton.cmon.groups`` (pegjs parsers built from
triton-tags' .pegjs files) are followed for what they accept; a value they cannot parse is
refused with the same status, code and field, but not with pegjs's "Expected ... but ... found"
wording.
"""

from __future__ import annotations

import json
import re
from typing import Any

DNS_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9\-]{0,62}(?:\.[a-z0-9][a-z0-9\-]{0,62})*\Z", re.I)
TYPES = {
    "triton.cmon.groups": "string",
    "triton.cns.services": "string",
    "triton.cns.disable": "boolean",
    "triton.cns.reverse_ptr": "string",
    "triton.network.public": "string",
    "triton.placement.exclude_virtual_servers": "boolean",
    "triton._test.string": "string",
    "triton._test.number": "number",
    "triton._test.boolean": "boolean",
}
_SERVICE = re.compile(
    r"(?P<name>_[a-zA-Z0-9\-]+\._(?:tcp|udp)|[a-zA-Z0-9\-][a-zA-Z0-9\-.]*)(?::(?P<port>[0-9]+))?"
    r"(?P<props>(?::[a-z][a-z0-9\-]*=[^,:]+)*)\Z"
)
_GROUP = re.compile(r"[a-zA-Z0-9\-_]*\Z")


def is_triton_tag(key: str) -> bool:
    return key.startswith("triton.")


def js_type(value: Any) -> str:
    """JavaScript's ``typeof`` of a JSON value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else "object"


def js_json(value: Any) -> str:
    """``%j`` of node's util.format: JSON.stringify."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def validate(key: str, value: Any) -> str | None:
    """validateTritonTag(): None, or the reason the value is refused."""
    expected = TYPES.get(key)
    if expected is None:
        return f'Unrecognized special triton tag "{key}"'
    actual = js_type(value)
    if expected != actual:
        return f'Triton tag "{key}" value must be a {expected}: {js_json(value)} ({actual})'
    if key == "triton.cns.reverse_ptr" and (len(value) > 255 or not DNS_NAME_RE.match(value)):
        return f'invalid "triton.cns.reverse_ptr" tag: "{value}" is not DNS safe'
    if key == "triton.cns.services":
        return _services_problem(value)
    if key == "triton.cmon.groups":
        return _groups_problem(value)
    return None


def _services_problem(value: str) -> str | None:
    prefix = 'invalid "triton.cns.services" tag: '
    for part in value.split(","):
        match = _SERVICE.match(part)
        if match is None:
            return f"{prefix}{js_json(part)} is not a service name[:port][:property=value]"
        name = match["name"].lower()  # the grammar lowercases names
        if not 1 <= len(name) <= 63:
            return f'{prefix}service DNS name "{name}" must be 63 or fewer characters'
        port = match["port"]
        if port is not None and not 1 <= int(port) <= 65535:
            return f"{prefix}service port number for {name} must be within the range 1 - 65535"
        for prop in filter(None, match["props"].split(":")):
            prop_name, _, prop_value = prop.partition("=")
            if prop_name not in ("priority", "weight"):
                return f'{prefix}service property "{prop_name}" is not a valid property name'
            number = re.match(r"\s*([+-]?\d+)", prop_value)  # parseInt
            if number is None or not 0 <= int(number.group(1)) <= 65535:
                return f"{prefix}service {prop_name} for {name} must be within the range 0 - 65535"
    return None


def _groups_problem(value: str) -> str | None:
    prefix = 'invalid "triton.cmon.groups" tag: '
    groups = value.split(",")
    if not all(_GROUP.match(g) for g in groups):
        return f"{prefix}groups must be strings comprised of letters, numbers, _, and -"
    if len(groups) > 100:
        return f"{prefix}must contain less than or equal to 100 group strings"
    seen: set[str] = set()
    for group in groups:
        if group in seen:
            return f"{prefix}contains duplicate group {group}"
        seen.add(group)
        if not 1 <= len(group) <= 100:
            return (
                f"{prefix}group name must be no less than 1 character and no greater than 100"
                " characters"
            )
    return None
