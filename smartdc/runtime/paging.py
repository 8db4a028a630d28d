"""Lazy offset/limit paging: one page in memory at a time, each item once.

A paginator ends and never yields an item twice, whatever the server does with offset and limit
(docs/design.md, "Paging"):

* items are told apart by ``item_key`` (``id``): one already yielded on the last few pages is
  skipped (a window of ``SEEN_PAGES`` pages, so memory stays flat however long the listing: items
  shift between adjacent pages when machines are created or deleted during it, and a repeated or
  offset-ignoring page is one of the last);
* a page with more items than the limit asked for means the server ignored the limit (VMAPI does
  with tag filters): that page held everything, the listing ends;
* a page of nothing new is asked for once more (a repeated page); a second one means the server
  ignores ``offset``: the listing ends with a WARNING on the ``smartdc`` logger saying that items
  may be missing;
* otherwise a page shorter than the limit the server applied (``x-query-limit``, else the one
  asked for) is the last, unless ``filtered_pages``: then only an empty page ends, and the offset
  steps by the limit (the server counted records it then filtered out). A whole page of records
  the server filters out would end such a listing early: the default page size (the largest)
  makes that unlikely.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from smartdc.runtime.ahead import Ahead

T = TypeVar("T")

log = logging.getLogger("smartdc")

# How many pages of item keys a listing remembers to skip repeats (flat memory: at most this many
# pages of ids, whatever the listing's length).
SEEN_PAGES = 3


@dataclass(frozen=True, slots=True)
class PaginatorSpec:
    operation: str
    offset_param: str
    limit_param: str
    max_limit: int
    count_header: str
    limit_header: str
    item_key: str = "id"  # JSON key that identifies an item
    item_attr: str = "id"  # the same on the decoded model
    filtered_pages: bool = False  # a short page is not the last (filtered after paging)


def paginate(
    fetch: Callable[[int, int], tuple[list[T], Mapping[str, str]]],
    spec: PaginatorSpec,
    *,
    page_size: int | None = None,
    start: int = 0,
    value: Callable[[T], Any] | None = None,
    prefetch: bool = False,
) -> Iterator[T]:
    """Yield every item once; see the module docstring for when the listing ends. ``value``:
    where an item's key is read from (default the item itself: a model or a JSON object);
    ``prefetch``: ask for the next page while this one is read (for a listing read to its end)."""
    size = min(page_size or spec.max_limit, spec.max_limit)
    offset = start
    recent: deque[set[Hashable]] = deque(maxlen=SEEN_PAGES)
    listed = 0
    repeated = False
    ahead: Ahead[tuple[list[T], Mapping[str, str]]] | None = None
    while True:
        # a page asked for ahead is always the one wanted: it is asked for only once the page
        # before has proved to hold something new, and then the offset is the one below
        items, headers = fetch(offset, size) if ahead is None else ahead.result()
        ahead = None
        page: set[Hashable] = set()
        recent.append(page)
        fresh: list[T] = []
        for item in items:
            key = _key(item if value is None else value(item), spec)
            if key is not None:
                if any(key in seen for seen in recent):
                    continue
                page.add(key)
            fresh.append(item)
        following = _following(items, headers, size, offset, spec) if fresh else None
        if prefetch and following is not None:
            ahead = _fetch_ahead(fetch, following, size)
        yield from fresh
        listed += len(fresh)
        if not items or len(items) > size:
            return
        if not fresh:
            if repeated:
                log.warning(
                    "%s: the server answered offset=%d with items already listed twice in a "
                    "row (it may ignore offset, as with tag filters); stopping after %d items, "
                    "some may be missing",
                    spec.operation,
                    offset,
                    listed,
                )
                return
            repeated = True
            continue
        repeated = False
        if following is None:
            return
        offset = following


def _following(
    items: list[Any], headers: Mapping[str, str], size: int, offset: int, spec: PaginatorSpec
) -> int | None:
    """The offset of the page after this one, once it held something new; None: it was the last."""
    if not items or len(items) > size:
        return None
    applied = _header_int(headers, spec.limit_header, size)
    limit = min(size, applied) if applied > 0 else size
    if spec.filtered_pages:
        return offset + limit
    if _header_int(headers, spec.count_header, len(items)) < limit:
        return None
    return offset + len(items)


def _key(item: Any, spec: PaginatorSpec) -> Hashable | None:
    value = (
        item.get(spec.item_key) if isinstance(item, dict) else getattr(item, spec.item_attr, None)
    )
    return value if isinstance(value, Hashable) else None


def _header_int(headers: Mapping[str, Any], name: str, default: int) -> int:
    raw = headers.get(name)
    try:
        return int(raw) if raw is not None else default
    except (TypeError, ValueError):
        return default


def _fetch_ahead(
    fetch: Callable[[int, int], tuple[list[T], Mapping[str, str]]], offset: int, size: int
) -> Ahead[tuple[list[T], Mapping[str, str]]]:
    return Ahead(lambda: fetch(offset, size), name="smartdc-page")
