"""Recognising the forms a resource reference takes: a uuid, or a short id (its first characters)."""

from __future__ import annotations

import re

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# triton prints the first 8 characters of an id; accept any prefix of at least 4 hex characters.
_SHORT = re.compile(r"^[0-9a-fA-F]{4,8}(-[0-9a-fA-F-]*)?$")


def is_uuid(text: str) -> bool:
    return bool(_UUID.match(text))


def looks_like_short_id(text: str) -> bool:
    return bool(_SHORT.match(text))


def is_missing(error: BaseException) -> bool:
    """Whether an API error says the resource does not exist (404 or 410)."""
    return getattr(error, "status", None) in (404, 410)
