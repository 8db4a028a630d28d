"""Lazy offset/limit paging: one page in memory at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import attrs

T = TypeVar("T")


@attrs.frozen
class PaginatorSpec:
    operation: str
    offset_param: str
    limit_param: str
    max_limit: int
    count_header: str
    limit_header: str


def paginate(
    fetch: Callable[[int, int], tuple[list[T], Mapping[str, str]]],
    spec: PaginatorSpec,
    *,
    page_size: int | None = None,
    start: int = 0,
) -> Iterator[T]:
    """Yield every item; stop when a page holds fewer items than the limit the server applied."""
    size = min(page_size or spec.max_limit, spec.max_limit)
    offset = start
    while True:
        items, headers = fetch(offset, size)
        yield from items
        count = _header_int(headers, spec.count_header, len(items))
        applied = _header_int(headers, spec.limit_header, size)
        if not items or count < applied:
            return
        offset += len(items)


def _header_int(headers: Mapping[str, Any], name: str, default: int) -> int:
    raw = headers.get(name)
    try:
        return int(raw) if raw is not None else default
    except (TypeError, ValueError):
        return default
