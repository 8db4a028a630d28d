"""``Headers``: a case-insensitive, read-only mapping of HTTP header names to values.

The one such mapping in the project: response headers on the client side (``Response.headers``)
and request headers on the simulator side (``SimRequest.headers``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar, overload

T = TypeVar("T")


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only headers; iteration gives the names as received."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        # a name sent twice: the last value wins
        self._items = {k.lower(): (k, v) for k, v in pairs}

    @classmethod
    def of_lowered(cls, items: dict[str, tuple[str, str]]) -> Headers:
        """From ``{lower-case name: (name as received, value)}``, used as it is."""
        headers = cls.__new__(cls)
        headers._items = items
        return headers

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, /, default: str | T) -> str | T: ...
    def get(self, key: str, /, default: object = None) -> object:
        # Read several times per response: one dict lookup instead of Mapping.get's try/except.
        item = self._items.get(key.lower())
        return default if item is None else item[1]

    def __repr__(self) -> str:
        return f"Headers({dict(self)!r})"
