"""Path templates filled with percent-encoded values, so a value can never change the route."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from smartdc.errors import ArgumentError

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


_UNRESERVED = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9_.~-]*")


def encode_segment(value: object) -> str:
    """Every reserved character, ``/``, ``%``, ``..`` dots included, is escaped (``safe=""``)."""
    text = str(value)
    if _UNRESERVED.fullmatch(text):
        return text  # ids and names: nothing to escape (cheaper than quote); no leading dot
    encoded = quote(text, safe="")
    # "." and ".." segments would be collapsed by servers and proxies: escape their dots too.
    if text in (".", ".."):
        encoded = text.replace(".", "%2E")
    return encoded


_TEMPLATES: dict[str, tuple[str, tuple[str, ...]]] = {}  # template -> (%-form, its names)


def _compiled(template: str) -> tuple[str, tuple[str, ...]]:
    found = _TEMPLATES.get(template)
    if found is None:
        names = tuple(_PLACEHOLDER.findall(template))
        form = _PLACEHOLDER.sub("%s", template.replace("%", "%%"))
        found = _TEMPLATES[template] = (form, names)
    return found


def expand_path(template: str, params: Mapping[str, object]) -> str:
    """``/{login}/machines/{id}`` with each placeholder replaced by its encoded value."""
    form, names = _compiled(template)
    values = []
    for name in names:
        value = params.get(name)
        if value is None or value == "":
            raise ArgumentError(f"path parameter {name!r} must be a non-empty value")
        values.append(encode_segment(value))
    return form % tuple(values)
