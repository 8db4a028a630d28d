"""API version negotiation: `Accept-Version` semver ranges matched against route versions.

CloudAPI 9.20 serves API versions 9.0.0 down to 7.0.0. A client sends a *range* (``~9||~8``, ``*``,
``9``, ``~7.2``, ``>=8``); the highest supported version inside it is chosen. An exact code version such
as ``9.20.0`` satisfies nothing and is refused, as restify does.
"""

from __future__ import annotations

import re

Version = tuple[int, int, int]

SUPPORTED_VERSIONS: tuple[str, ...] = ("9.0.0", "8.0.0", "7.3.0", "7.2.0", "7.1.0", "7.0.0")

# The API version RBAC arrived in: users, their keys, roles, policies and role tags are routed from
# it (the spec's `min_api_version` of those operations; tests/simulator/test_spec_routes.py checks).
RBAC_VERSION = "7.2.0"

# At most 9 digits a part: longer numbers are no version (and int() refuses over 4300 digits).
_PARTIAL = re.compile(r"^v?(\d{1,9}|[xX*])(?:\.(\d{1,9}|[xX*]))?(?:\.(\d{1,9}|[xX*]))?$", re.ASCII)
_COMPARATOR = re.compile(r"^(~>|~|\^|>=|<=|>|<|=)?\s*(.*)$")
_BIG = 1 << 30


class InvalidRange(ValueError):
    """The text is not a semver range this simulator understands."""


def parse_version(text: str) -> Version:
    major, minor, patch = (int(p) for p in text.split("."))
    return major, minor, patch


def _partial(text: str) -> list[int]:
    found = _PARTIAL.match(text)
    if not found:
        raise InvalidRange(text)
    parts: list[int] = []
    for group in found.groups():
        if group is None or group in "xX*":
            break
        parts.append(int(group))
    return parts


def _bump(parts: list[int], index: int) -> Version:
    padded = [*parts[:index], parts[index] + 1]
    padded += [0] * (3 - len(padded))
    return padded[0], padded[1], padded[2]


def _pad(parts: list[int]) -> Version:
    padded = parts + [0] * (3 - len(parts))
    return padded[0], padded[1], padded[2]


def _interval(comparator: str) -> tuple[Version, bool, Version, bool]:
    """(low, low_inclusive, high, high_inclusive) of one comparator."""
    found = _COMPARATOR.match(comparator)
    assert found is not None  # the pattern matches any text
    op, rest = found.group(1) or "", found.group(2)
    parts = _partial(rest) if rest not in ("", "*", "x", "X") else []
    top = (_BIG, 0, 0)
    if not parts:
        if op in ("<", ">"):
            raise InvalidRange(comparator)
        return (0, 0, 0), True, top, True
    if op in ("", "="):
        if len(parts) == 3:
            return _pad(parts), True, _pad(parts), True
        return _pad(parts), True, _bump(parts, len(parts) - 1), False
    if op in ("~", "~>"):
        return _pad(parts), True, _bump(parts, min(len(parts) - 1, 1)), False
    if op == "^":
        first = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
        return _pad(parts), True, _bump(parts, first), False
    if op == ">=":
        return _pad(parts), True, top, True
    if op == ">":
        if len(parts) == 3:
            return _pad(parts), False, top, True
        return _bump(parts, len(parts) - 1), True, top, True
    if op == "<":
        return (0, 0, 0), True, _pad(parts), False
    # "<=": a partial version includes everything it names
    if len(parts) == 3:
        return (0, 0, 0), True, _pad(parts), True
    return (0, 0, 0), True, _bump(parts, len(parts) - 1), False


def satisfies(version: str, range_text: str) -> bool:
    """True when ``version`` (``X.Y.Z``) is inside the semver range ``range_text``."""
    value = parse_version(version)
    for alternative in range_text.split("||"):
        comparators = alternative.split()
        if not comparators:
            comparators = ["*"]
        ok = True
        for comparator in comparators:
            low, low_incl, high, high_incl = _interval(comparator)
            if value < low or (value == low and not low_incl):
                ok = False
            if value > high or (value == high and not high_incl):
                ok = False
        if ok:
            return True
    return False


def negotiate(
    range_text: str | None,
    min_version: str | None = None,
    versions: tuple[str, ...] | None = None,
) -> str | None:
    """The highest supported version in the range (and not below ``min_version``), or None.

    ``versions`` replaces the supported list for a route registered with its own versions.
    Raises :class:`InvalidRange` when the text cannot be parsed.
    """
    wanted = (range_text or "*").strip() or "*"
    floor = parse_version(min_version) if min_version else (0, 0, 0)
    candidates = (
        sorted(versions, key=parse_version, reverse=True) if versions else SUPPORTED_VERSIONS
    )
    for version in candidates:  # newest first
        if parse_version(version) < floor:
            continue
        if satisfies(version, wanted):
            return version
    return None
